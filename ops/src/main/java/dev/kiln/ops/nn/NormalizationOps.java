package dev.kiln.ops.nn;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: NormalizationOps (being filled in). */
public final class NormalizationOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
