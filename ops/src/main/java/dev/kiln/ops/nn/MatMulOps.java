package dev.kiln.ops.nn;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: MatMulOps (being filled in). */
public final class MatMulOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
