package dev.kiln.ops.nn;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: AttentionOps (being filled in). */
public final class AttentionOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
