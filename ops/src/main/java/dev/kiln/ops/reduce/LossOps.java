package dev.kiln.ops.reduce;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: LossOps (being filled in). */
public final class LossOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
