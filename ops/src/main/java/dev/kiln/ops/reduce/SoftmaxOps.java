package dev.kiln.ops.reduce;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: SoftmaxOps (being filled in). */
public final class SoftmaxOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
