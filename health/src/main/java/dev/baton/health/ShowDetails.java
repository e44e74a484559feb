/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.health;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Who may see what the health endpoints know beyond the status: check names, reasons, details and
 * dependencies, process figures, the version, an agent's state. The status code and the overall
 * status are always served, so an orchestrator's probe needs no credentials. Like Spring Boot's
 * {@code management.endpoint.health.show-details}: {@link #never()} (the default of {@link
 * HealthServer}), {@link #always()}, or {@link #whenAuthorized(String)} / {@link
 * #whenAuthorized(Predicate)}. Immutable and thread-safe; {@link #toString()} never shows a token.
 */
public final class ShowDetails {

  private static final ShowDetails NEVER = new ShowDetails("never", request -> false, false);
  private static final ShowDetails ALWAYS = new ShowDetails("always", request -> true, false);

  private final String mode;
  private final Predicate<Request> authorized;
  private final boolean variesByRequest;

  private ShowDetails(String mode, Predicate<Request> authorized, boolean variesByRequest) {
    this.mode = mode;
    this.authorized = authorized;
    this.variesByRequest = variesByRequest;
  }

  /** {@return details to nobody: every endpoint answers with its status alone} */
  public static ShowDetails never() {
    return NEVER;
  }

  /**
   * {@return details to anyone who reaches the port: for a loopback-only port or a trusted network}
   */
  public static ShowDetails always() {
    return ALWAYS;
  }

  /**
   * {@return details to requests that carry {@code Authorization: Bearer <token>} (compared in
   * constant time); everyone else gets the status alone}
   *
   * @param token the bearer token that unlocks details; not blank
   * @throws IllegalArgumentException for a blank token, or one shorter than 16 characters
   */
  public static ShowDetails whenAuthorized(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isBlank() || token.length() < 16) {
      throw new IllegalArgumentException(
          "a health token needs at least 16 characters (it was "
              + token.length()
              + "); generate one, e.g. with 'openssl rand -hex 24'");
    }
    byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    return new ShowDetails(
        "when-authorized (bearer token)",
        request -> {
          String given = request.header("Authorization");
          return given != null
              && MessageDigest.isEqual(expected, given.trim().getBytes(StandardCharsets.UTF_8));
        },
        true);
  }

  /**
   * {@return details to requests {@code authorized} accepts (say, a mutual-TLS proxy's header or a
   * source address); everyone else gets the status alone} A predicate that throws counts as a
   * refusal.
   *
   * @param authorized decides, per request, whether it may see details
   */
  public static ShowDetails whenAuthorized(Predicate<Request> authorized) {
    Objects.requireNonNull(authorized, "authorized");
    return new ShowDetails("when-authorized (predicate)", authorized, true);
  }

  /** Whether {@code request} may see details. Never throws. */
  boolean allows(Request request) {
    try {
      return authorized.test(request);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Whether the answer depends on the request (so caches must keep answers apart). */
  boolean variesByRequest() {
    return variesByRequest;
  }

  /** The mode, e.g. {@code never}; never the token. */
  @Override
  public String toString() {
    return mode;
  }

  /**
   * What a {@link #whenAuthorized(Predicate)} predicate sees of a request.
   *
   * @param remoteAddress the caller's address
   * @param headers the request headers, names in lower case
   */
  public record Request(InetSocketAddress remoteAddress, Map<String, List<String>> headers) {

    /**
     * Copies the headers, names in lower case.
     *
     * @param remoteAddress the caller's address
     * @param headers the request headers, names in lower case
     */
    public Request {
      Objects.requireNonNull(remoteAddress, "remoteAddress");
      Map<String, List<String>> copy = new TreeMap<>();
      headers.forEach(
          (name, values) -> {
            if (name != null && values != null) {
              copy.merge(
                  name.toLowerCase(Locale.ROOT),
                  List.copyOf(values),
                  (a, b) -> Stream.concat(a.stream(), b.stream()).toList());
            }
          });
      headers = Collections.unmodifiableMap(copy);
    }

    /**
     * {@return the first value of header {@code name} (any case), or {@code null}}
     *
     * @param name the header's name
     */
    public @Nullable String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** A redacted form: the address and the header names, never their values. */
    @Override
    public String toString() {
      return "Request[" + remoteAddress + ", headers=" + headers.keySet() + "]";
    }
  }
}
