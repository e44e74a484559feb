/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/** Not API: JSON rendering and process figures behind the health server. */
@NullMarked
package dev.baton.health.internal;

import org.jspecify.annotations.NullMarked;
