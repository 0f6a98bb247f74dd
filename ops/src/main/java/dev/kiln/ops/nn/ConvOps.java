package dev.kiln.ops.nn;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: ConvOps (being filled in). */
public final class ConvOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
