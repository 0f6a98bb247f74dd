package dev.kiln.ops.text;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: StringOps (being filled in). */
public final class StringOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
