package dev.kiln.ops.control;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: ControlFlowOps (being filled in). */
public final class ControlFlowOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
