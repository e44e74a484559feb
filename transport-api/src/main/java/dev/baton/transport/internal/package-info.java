/** Not API: helpers Baton's modules share. May change without notice. */
@NullMarked
package dev.baton.transport.internal;

import org.jspecify.annotations.NullMarked;
