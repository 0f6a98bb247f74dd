package dev.kiln.ops.shape;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: IndexingOps (being filled in). */
public final class IndexingOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
