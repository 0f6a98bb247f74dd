package dev.kiln.ops.fused;

import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;

/**
 * Op family: the fused ops the graph optimizer introduces, in domain {@value #DOMAIN} (opset 1). Each has a
 * scalar reference kernel that is the oracle for its backends' fast kernels: FusedMatMul, LayerNorm,
 * SkipLayerNorm, Gelu, BiasSoftmax, Attention, FusedConv.
 */
public final class FusedOps implements OpFamily {
    public static final String DOMAIN = "dev.kiln";

    @Override public void register(OpRegistry r) {
        FusedMatMulOp.register(r);
        LayerNormOps.register(r);
        ActivationOps.register(r);
        AttentionOp.register(r);
        FusedConvOp.register(r);
    }
}
