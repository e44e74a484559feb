/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.spi;

import dev.baton.transport.internal.SharedSchedule;
import io.opentelemetry.context.Scope;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Watches the handlers that hold a broker's message (a {@link Settler} with a {@link
 * Settler#holdNanos hold}): every {@value #TICK_MILLIS} ms one shared thread ({@code
 * baton-handler-watch-1}) extends each running handler's hold when a third of it has passed, and
 * gives the message up once the handler has run past the agent's maximum handler time.
 *
 * <p>Each thread that runs such handlers has one {@link Slot}, made on its first message and reused
 * for every message after it: a message costs no object and no registration. The watch runs while
 * some slot's thread is alive and stops by itself when none is. A failure to extend or to give up
 * is counted as a telemetry failure, never thrown. Thread-safe.
 */
final class HandlerWatch {

  static final long TICK_MILLIS = 250;

  private static final CopyOnWriteArrayList<Slot> SLOTS = new CopyOnWriteArrayList<>();
  private static final ThreadLocal<Slot> CURRENT = new ThreadLocal<>();
  private static @Nullable SharedSchedule schedule;

  private HandlerWatch() {}

  /**
   * What the watch reports: a failure to extend or to give up ({@code "extend"}, {@code
   * "give_up"}).
   */
  interface Failures extends BiConsumer<String, Throwable> {}

  /** One thread's handler, watched while it runs; only that thread begins and ends it. */
  static final class Slot {
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    // The watch is calling extend or giveUp: the handler's end waits for it, so no extension
    // follows the ack and whatever the give-up settled is seen by the handler's thread.
    private static final int BUSY = 2;
    private static final int GIVEN_UP = 3;
    private static final VarHandle STATE;

    static {
      try {
        STATE = MethodHandles.lookup().findVarHandle(Slot.class, "state", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final WeakReference<Thread> thread;
    // Written by the slot's thread before it sets RUNNING, read by the watch after it sees it.
    private @Nullable Settler settler;
    private @Nullable Failures failures;
    private long startNanos;
    private long extendEveryNanos;
    private long maxNanos;
    private volatile long nextExtendNanos;
    private volatile int state;

    private Slot(Thread thread) {
      this.thread = new WeakReference<>(thread);
    }

    /**
     * The handler returned or threw: the message is no longer watched. True when the watch had
     * given it up first (the engine then neither acks nor naks it).
     */
    boolean end() {
      try {
        while (true) {
          if (STATE.compareAndSet(this, RUNNING, IDLE)) {
            return false;
          }
          int now = state;
          if (now == GIVEN_UP) {
            state = IDLE;
            return true;
          }
          if (now != BUSY) {
            return false;
          }
          LockSupport.parkNanos(100_000); // the watch never waits on the broker for long
        }
      } finally {
        settler = null;
        failures = null;
      }
    }

    /** Runs on the watch thread. */
    private void check(long now) {
      if (state != RUNNING) {
        return;
      }
      Settler held = settler;
      if (held == null) {
        return;
      }
      if (now - startNanos > maxNanos) {
        // Won against end(): the handler still runs, and from here the message is given up.
        if (STATE.compareAndSet(this, RUNNING, BUSY)) {
          try (Scope quiet = JavaAgent.enterQuiet()) {
            held.giveUp();
          } catch (Exception | LinkageError e) {
            report("give_up", e);
          } finally {
            state = GIVEN_UP;
          }
        }
        return;
      }
      if (now - nextExtendNanos >= 0 && STATE.compareAndSet(this, RUNNING, BUSY)) {
        nextExtendNanos = now + extendEveryNanos;
        try (Scope quiet = JavaAgent.enterQuiet()) {
          held.extend();
        } catch (Exception | LinkageError e) {
          report("extend", e);
        } finally {
          state = RUNNING;
        }
      }
    }

    private void report(String what, Throwable e) {
      Failures to = failures;
      if (to != null) {
        to.accept(what, e);
      }
    }
  }

  /**
   * Starts watching the handler about to run on this thread for {@code settler}'s message, or
   * returns {@code null} when its broker holds nothing for it (or this thread's slot is already
   * busy: a handler delivering to another on the same thread).
   */
  static @Nullable Slot begin(Settler settler, long maxNanos, Failures failures) {
    long hold = settler.holdNanos();
    if (hold <= 0) {
      return null;
    }
    Slot slot = CURRENT.get();
    if (slot == null) {
      slot = new Slot(Thread.currentThread());
      CURRENT.set(slot);
      register(slot);
    } else if (slot.state != Slot.IDLE) {
      return null;
    }
    long now = System.nanoTime();
    slot.settler = settler;
    slot.failures = failures;
    slot.startNanos = now;
    slot.maxNanos = maxNanos;
    // A third of the hold, so two extensions may be late or lost before the broker gives up;
    // never more often than the watch looks.
    slot.extendEveryNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS), hold / 3);
    slot.nextExtendNanos = now + slot.extendEveryNanos;
    slot.state = Slot.RUNNING; // last: the watch reads the fields above once it sees RUNNING
    return slot;
  }

  private static synchronized void register(Slot slot) {
    SLOTS.add(slot);
    if (schedule == null) {
      schedule =
          SharedSchedule.withFixedDelay(
              "baton-handler-watch", Duration.ofMillis(TICK_MILLIS), HandlerWatch::tick);
    }
  }

  private static void tick() {
    long now = System.nanoTime();
    boolean anyAlive = false;
    for (Slot slot : SLOTS) {
      Thread thread = slot.thread.get();
      if (thread == null || !thread.isAlive()) {
        SLOTS.remove(slot);
        continue;
      }
      anyAlive = true;
      slot.check(now);
    }
    if (!anyAlive) {
      stopIfIdle();
    }
  }

  private static synchronized void stopIfIdle() {
    if (SLOTS.isEmpty() && schedule != null) {
      schedule.close();
      schedule = null;
    }
  }

  /** Threads with a slot now (for tests). */
  static int slots() {
    return SLOTS.size();
  }
}
