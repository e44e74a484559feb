/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import dev.baton.propagation.Conversation;
import dev.baton.propagation.ConversationBudget;
import io.opentelemetry.context.Context;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Not API: how the engine makes and reads the {@link Conversation} a handler runs in, without
 * making those parts public on {@code Conversation}.
 */
public final class ConversationAccess {

  /** What {@link Conversation} hands to the engine. */
  public interface Parts {
    /**
     * The conversation {@code id} with the totals a message carried, handled by {@code agent} from
     * {@code beganNanos} (System.nanoTime()).
     */
    Conversation received(
        String id, Ledger carried, String agent, long beganNanos, Listeners listeners);

    /** {@code context} with {@code conversation} in it (its id in the baggage too). */
    Context store(Context context, Conversation conversation);

    /** The conversation object in {@code context}, or {@code null}. */
    @Nullable Conversation stored(Context context);

    /** The totals {@code agent} hands on now: what came in, plus its own so far, one hop more. */
    Ledger onward(Conversation conversation, String agent);

    /** {@code ledger} under the tighter of its budget and {@code budget}. */
    Ledger tighten(Ledger ledger, ConversationBudget budget);
  }

  private static final StackWalker WALKER =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  private static volatile Parts parts;

  private ConversationAccess() {}

  /** Called once, by {@link Conversation}'s static initializer. */
  public static synchronized void install(Parts installed) {
    Objects.requireNonNull(installed, "installed");
    if (WALKER.getCallerClass() != Conversation.class || parts != null) {
      throw new UnsupportedOperationException("only Conversation installs its parts, once");
    }
    parts = installed;
  }

  /** The parts, for the engine alone. */
  public static Parts parts() {
    Parts p = parts;
    if (p == null) {
      try {
        Class.forName(Conversation.class.getName(), true, Conversation.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      p = parts;
    }
    return p;
  }
}
