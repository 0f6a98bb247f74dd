package dev.kiln.ops.fused;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/** Op family: the fused-elementwise op written by the elementwise-fusion pass ({@link FusedElementwiseOp}). */
public final class ElementwiseFusionOps implements OpFamily {
    @Override public void register(OpRegistry r) { FusedElementwiseOp.register(r); }
}
