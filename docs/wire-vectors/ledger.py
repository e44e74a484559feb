"""A reference of the conversation ledger in docs/wire-format.md, for peers in other languages.

Reads and writes the totals after the agent's name in Baton's `baton` header, hands them on as
an agent does, and checks itself against Baton's send vectors (send.txt, next to this file):

    python3 docs/wire-vectors/ledger.py            # prints "22 send vectors pass" or what differs

Written from the specification, not from Baton's code: the build checks Baton against the same
vectors (WireSendVectorsTest), so the two agree where it matters. Python 3.8+, no dependencies.
"""

import pathlib
import sys

MAX_VALUE = 999_999_999_999_999_999  # 18 digits: every decimal saturates here
NONE = None  # a budget limit not set
ORDER = ["h", "a", "t0", "ti", "to", "c", "ht", "bt", "bc", "bh", "bw", "tr"]
MAX_TAGS = 12


def java_hash(name):
    """Java's String.hashCode(): over UTF-16 code units, 32-bit wrap-around, signed."""
    h = 0
    data = name.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + int.from_bytes(data[i:i + 2], "big")) & 0xFFFFFFFF
    return h


def agent_bit(name):
    """The agent's bit in the 64-bit sketch that counts distinct agents."""
    h = (java_hash(name) * 0x9E3779B9) & 0xFFFFFFFF
    return 1 << (h >> 26)


def trail_tag(name):
    """The agent's 4-hex-digit tag in the trail."""
    h = (java_hash(name) * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 16
    return "%04x" % (h & 0xFFFF)


def begin(began_micros):
    """The totals of a conversation that begins here (no hop has carried it yet)."""
    return {"h": 0, "agents": 0, "sketch": 0, "t0": began_micros, "ti": 0, "to": 0, "c": 0,
            "ht": 0, "bt": NONE, "bc": NONE, "bh": NONE, "bw": NONE, "tr": ""}


def parse(text):
    """The totals in `text`, or None when malformed (the receiver then ignores them whole)."""
    if len(text) > 384:
        return None
    ledger = begin(0)
    seen = set()
    for field in text.split(","):
        key, eq, value = field.partition("=")
        if not eq or not key or not value:
            return None
        if key not in ORDER:
            continue  # unknown keys are skipped
        if key in seen:
            return None
        seen.add(key)
        if key == "a":
            count, dot, sketch = value.partition(".")
            if not dot or not decimal(count) or len(sketch) != 16 or not lower_hex(sketch):
                return None
            ledger["agents"], ledger["sketch"] = int(count), int(sketch, 16)
        elif key == "tr":
            if len(value) % 4 or len(value) > 4 * MAX_TAGS or not lower_hex(value):
                return None
            ledger["tr"] = value
        elif decimal(value):
            ledger[key] = int(value)
        else:
            return None
    if not {"h", "a", "t0"} <= seen:
        return None
    return ledger


def decimal(value):
    return 0 < len(value) <= 18 and value.isdigit() and value.isascii()


def lower_hex(value):
    return all(c in "0123456789abcdef" for c in value)


def tighten(ledger, policy):
    """The totals under the receiving agent's own budget for the destination: the tighter wins."""
    out = dict(ledger)
    for key, limit in policy.items():
        out[key] = limit if out[key] is NONE else min(out[key], limit)
    return out


def onward(ledger, agent, ti=0, to=0, c=0, ht=0):
    """What `agent` writes when it hands the work on after spending ti, to, c, ht of its own."""
    bit = agent_bit(agent)
    out = dict(ledger)
    out["h"] = cap(ledger["h"] + 1)
    out["agents"] = ledger["agents"] if ledger["sketch"] & bit else cap(ledger["agents"] + 1)
    out["sketch"] = ledger["sketch"] | bit
    for key, own in (("ti", ti), ("to", to), ("c", c), ("ht", ht)):
        out[key] = cap(ledger[key] + own)
    out["tr"] = (ledger["tr"] + trail_tag(agent))[-4 * MAX_TAGS:]
    return out


def cap(value):
    return min(value, MAX_VALUE)


def write(ledger):
    """The ledger's text: h, a, t0 always; the rest only when not zero (totals) or set (limits)."""
    fields = ["h=%d" % ledger["h"], "a=%d.%016x" % (ledger["agents"], ledger["sketch"]),
              "t0=%d" % ledger["t0"]]
    for key in ("ti", "to", "c", "ht"):
        if ledger[key]:
            fields.append("%s=%d" % (key, ledger[key]))
    for key in ("bt", "bc", "bh", "bw"):
        if ledger[key] is not NONE:
            fields.append("%s=%d" % (key, min(ledger[key], MAX_VALUE)))
    if ledger["tr"]:
        fields.append("tr=" + ledger["tr"])
    return ",".join(fields)


def read_vectors(path):
    """The vectors in send.txt: a list of dicts of their lines (see the file's header)."""
    vectors, current = [], None
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            current = None
            continue
        key, _, value = line.partition(": ")
        if key == "vector":
            current = {"vector": value}
            vectors.append(current)
        else:
            current[key] = value
    return vectors


def numbers(text):
    out = {}
    for field in filter(None, (text or "").split(",")):
        key, _, value = field.partition("=")
        out[key.strip()] = int(value)
    return out


def run(vector):
    """What this reference writes for a vector."""
    received = vector["received"]
    ledger = begin(int(vector["began"])) if received == "none" else parse(received)
    if ledger is None:
        ledger = begin(int(vector["began"]))  # malformed: the totals begin at sent-at
    ledger = tighten(ledger, numbers(vector.get("policy")))
    adds = numbers(vector.get("adds"))
    return write(onward(ledger, vector["agent"], **adds))


def main():
    path = pathlib.Path(__file__).with_name("send.txt")
    failed = 0
    vectors = read_vectors(path)
    for vector in vectors:
        got = run(vector)
        if got != vector["expect"]:
            failed += 1
            print("%s\n  expected %s\n  got      %s" % (vector["vector"], vector["expect"], got))
    print("%d send vectors %s" % (len(vectors), "pass" if not failed else "checked, %d differ" % failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
