package dev.kiln.ops.nn;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: ImageOps (being filled in). */
public final class ImageOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
