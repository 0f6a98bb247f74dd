package dev.kiln.ops.control;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: SequenceOps (being filled in). */
public final class SequenceOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
