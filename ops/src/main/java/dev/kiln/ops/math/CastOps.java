package dev.kiln.ops.math;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: CastOps (being filled in). */
public final class CastOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
