package dev.kiln.ops.quant;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: QuantOps (being filled in). */
public final class QuantOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
