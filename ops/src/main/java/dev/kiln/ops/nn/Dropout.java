package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Dropout. In inference (the default, and always before opset 12 unless {@code is_test=0} in opset < 7) it is the
 * identity with an all-true mask. In training mode each element is kept with probability {@code 1 - ratio} and
 * scaled by {@code 1 / (1 - ratio)}; an element is kept when its uniform draw is {@code >= ratio}, with draws
 * from {@link Mt19937} seeded by {@code seed}, so seeded nodes reproduce the ONNX reference's mask.
 */
final class Dropout {
    private Dropout() {}

    static void register(OpRegistry r) {
        OpSchema.builder("Dropout").since(1, 6, 7, 10, 12, 13, 22)
                .attrFloat("ratio", 0.5f).attrInt("is_test", 0).attrInt("seed", 0)
                .attrInts("consumed_inputs", new long[0])
                .infer(ctx -> {
                    ctx.setOutputType(0, ctx.inputType(0));
                    if (ctx.outputCount() > 1 && ctx.inputType(0) instanceof TensorType t)
                        ctx.setOutputType(1, new TensorType(ctx.opsetVersion() >= 10 ? DType.BOOL : t.dtype(), t.dims()));
                })
                .kernel(Dropout::run)
                .register(r);
    }

    private static Object[] run(KernelContext ctx) {
        Tensor x = ctx.input(0);
        int v = ctx.opsetVersion();
        double ratio;
        boolean training;
        if (v >= 12) {
            Tensor r = ctx.optionalInput(1);
            ratio = r == null ? 0.5 : r.getDouble(0);
            Tensor t = ctx.optionalInput(2);
            training = t != null && t.getBoolean(0);
        } else {
            ratio = ctx.attrFloat("ratio");
            training = v < 7 && ctx.hasAttr("is_test") && ctx.attrInt("is_test") == 0;
        }
        if (training && (ratio < 0 || ratio >= 1)) throw ctx.fail("Dropout ratio must be in [0, 1), got " + ratio);
        boolean wantMask = ctx.outputCount() > 1 && ctx.outputRequested(1);
        DType maskType = v >= 10 ? DType.BOOL : x.dtype();
        if (!training || ratio == 0) {
            Tensor mask = null;
            if (wantMask) {
                mask = Tensor.allocate(maskType, x.shape());
                for (long i = 0; i < x.numel(); i++) mask.setDouble(i, 1);
            }
            return new Object[]{x, mask};
        }
        // With a seed the draw is numpy's (seed -> RandomState -> uniform), matching the ONNX reference exactly.
        Mt19937 rnd = new Mt19937(ctx.hasAttr("seed") ? ctx.attrInt("seed") : new SplittableRandom().nextLong() & 0xFFFFFFFFL);
        Tensor y = Tensor.allocate(x.dtype(), x.shape());
        Tensor mask = Tensor.allocate(maskType, x.shape());
        double scale = 1.0 / (1.0 - ratio);
        for (long i = 0; i < x.numel(); i++) {
            boolean keep = rnd.nextDouble() >= ratio;
            mask.setDouble(i, keep ? 1 : 0);
            y.setDouble(i, keep ? x.getDouble(i) * scale : 0);
        }
        return new Object[]{y, wantMask ? mask : null};
    }
}
