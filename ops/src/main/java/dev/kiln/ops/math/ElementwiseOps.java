package dev.kiln.ops.math;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: ElementwiseOps (being filled in). */
public final class ElementwiseOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
