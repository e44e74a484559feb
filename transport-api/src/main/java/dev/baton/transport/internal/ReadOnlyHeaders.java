/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.transport.internal;

import java.util.AbstractMap;

/**
 * Not API: a read-only view of a received message's headers, last value per name, that {@link
 * dev.baton.transport.Message} keeps as it is instead of copying. Subclasses never change after
 * construction and throw on every mutator ({@link AbstractMap}'s defaults).
 */
public abstract class ReadOnlyHeaders extends AbstractMap<String, String> {

  /** For subclasses. */
  protected ReadOnlyHeaders() {}
}
