package dev.kiln.ops.nn;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: SignalOps (being filled in). */
public final class SignalOps implements OpFamily {
    @Override public void register(OpRegistry r) {
    }
}
