package dev.kiln.ops.fused;

import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.Tensor;

/**
 * {@code dev.kiln.FusedConv(X, W, B?)}: ONNX Conv (same attributes and defaults) followed by {@code activation}
 * (Relu, Clip with activation_min/activation_max, Sigmoid, Tanh, ...). BatchNormalization after a Conv is folded
 * into W and B by the pass itself, so it needs no op.
 */
final class FusedConvOp {
    private FusedConvOp() {}

    static void register(OpRegistry r) {
        OpSchema.builder(FusedOps.DOMAIN, "FusedConv").since(1)
                .attrString("auto_pad", "NOTSET").attrInts("dilations", null).attrInt("group", 1)
                .attrInts("kernel_shape", null).attrInts("pads", null).attrInts("strides", null)
                .attrString("activation", "").attrFloat("activation_min", Float.NEGATIVE_INFINITY)
                .attrFloat("activation_max", Float.POSITIVE_INFINITY)
                .infer(ctx -> {
                    OpSchema conv = OpRegistry.standard().lookup("", "Conv", 11);
                    if (conv != null) conv.inferTypes(ctx);
                })
                .kernel(ctx -> new Object[]{run(ctx)})
                .register(r);
    }

    private static Tensor run(KernelContext ctx) {
        FusedActivation act;
        try {
            act = FusedActivation.parse(ctx.attrString("activation"));
        } catch (IllegalArgumentException e) {
            throw ctx.fail(e.getMessage());
        }
        // The Conv reference kernel reads the same attributes (same names and defaults) from this context.
        OpSchema conv = OpRegistry.standard().lookup("", "Conv", 11);
        Tensor y = (Tensor) conv.kernel().execute(ctx)[0];
        double lo = ctx.attrFloat("activation_min"), hi = ctx.attrFloat("activation_max");
        if (act != FusedActivation.NONE) for (long i = 0; i < y.numel(); i++) y.setDouble(i, act.apply(y.getDouble(i), lo, hi));
        return y;
    }

}
