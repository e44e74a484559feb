/** Not API: the parsers and helpers behind the propagation engine. May change without notice. */
@NullMarked
package dev.baton.propagation.internal;

import org.jspecify.annotations.NullMarked;
