package dev.kiln.ops.shape;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: GeneratorOps (being filled in). */
public final class GeneratorOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
