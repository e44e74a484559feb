/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/** Not API: the parsers and helpers behind the propagation engine. May change without notice. */
@NullMarked
package dev.baton.propagation.internal;

import org.jspecify.annotations.NullMarked;
