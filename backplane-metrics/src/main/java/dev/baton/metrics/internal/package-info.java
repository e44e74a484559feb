/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
/** Not API: label limits and meter caches behind the metrics binder. */
@NullMarked
package dev.baton.metrics.internal;

import org.jspecify.annotations.NullMarked;
