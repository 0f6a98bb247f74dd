package dev.kiln.ops.shape;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: ShapeOps (being filled in). */
public final class ShapeOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
