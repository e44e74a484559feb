/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.internal;

import dev.baton.transport.Message;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Not API: how the engine makes a received {@link Message} that reads its headers and its id from
 * the broker's message when the handler first asks, without making that constructor public.
 */
public final class MessageAccess {

  /** Reads a received message's headers from the broker's own header object. Stateless. */
  public interface HeaderReader {
    /** The headers of {@code carrier} (which may be {@code null}: none), last value per name. */
    ReadOnlyHeaders headers(@Nullable Object carrier);
  }

  /** What {@link Message} hands to the engine. */
  public interface Parts {
    /**
     * A received message. Its id is {@code id}; when that is {@code null}, the characters {@code
     * [idStart, idEnd)} of {@code idSource} (a {@code byte[]} of ASCII or a {@link CharSequence}
     * that does not change), with {@code idEnd} below 65,536.
     */
    Message received(
        String destination,
        @Nullable Object carrier,
        HeaderReader reader,
        byte[] payload,
        @Nullable String id,
        @Nullable Object idSource,
        int idStart,
        int idEnd,
        @Nullable String sender,
        @Nullable String replyTo,
        int deliveryCount);
  }

  private static final StackWalker WALKER =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  private static volatile @Nullable Parts parts;

  private MessageAccess() {}

  /** Called once, by {@link Message}'s static initializer. */
  public static synchronized void install(Parts installed) {
    Objects.requireNonNull(installed, "installed");
    if (WALKER.getCallerClass() != Message.class || parts != null) {
      throw new UnsupportedOperationException("only Message installs its parts, once");
    }
    parts = installed;
  }

  /** The parts, for the engine alone. */
  public static Parts parts() {
    Parts p = parts;
    if (p == null) {
      try {
        Class.forName(Message.class.getName(), true, Message.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      p = Objects.requireNonNull(parts, "Message installed no parts");
    }
    return p;
  }
}
