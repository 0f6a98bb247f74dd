package dev.kiln.ops.nn;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: PoolOps (being filled in). */
public final class PoolOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
