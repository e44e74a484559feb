/** Not API: JSON rendering and process figures behind the health server. */
@NullMarked
package dev.baton.health.internal;

import org.jspecify.annotations.NullMarked;
