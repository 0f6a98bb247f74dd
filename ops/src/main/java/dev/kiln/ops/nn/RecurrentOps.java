package dev.kiln.ops.nn;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: RecurrentOps (being filled in). */
public final class RecurrentOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
