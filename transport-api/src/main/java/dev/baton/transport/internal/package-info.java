/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/** Not API: helpers Baton's modules share. May change without notice. */
@NullMarked
package dev.baton.transport.internal;

import org.jspecify.annotations.NullMarked;
