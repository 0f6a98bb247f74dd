package dev.kiln.ops.reduce;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: ReductionOps (being filled in). */
public final class ReductionOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
