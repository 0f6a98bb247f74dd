package dev.kiln.ops.fused;

import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * {@code dev.kiln.LayerNorm(X, gamma, beta?)}: normalize X over the axes [axis, rank) (mean and biased variance),
 * then {@code * gamma + beta} with numpy broadcasting into X's shape. The form PyTorch exports at opsets before 17
 * decomposes into ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add; the fusion pass folds that back.
 *
 * <p>{@code dev.kiln.SkipLayerNorm(A, B, gamma, beta?)}: LayerNorm(A + B) — the residual add of a transformer
 * block folded into the normalization (A and B broadcast to one shape).
 */
final class LayerNormOps {
    private LayerNormOps() {}

    static void register(OpRegistry r) {
        OpSchema.builder(FusedOps.DOMAIN, "LayerNorm").since(1)
                .attrInt("axis", -1).attrFloat("epsilon", 1e-5f)
                .infer(ctx -> FusedTensors.sameAs(ctx, 0))
                .kernel(ctx -> new Object[]{layerNorm(ctx, FusedTensors.floatInput(ctx, 0), 1)})
                .register(r);
        OpSchema.builder(FusedOps.DOMAIN, "SkipLayerNorm").since(1)
                .attrInt("axis", -1).attrFloat("epsilon", 1e-5f)
                .infer(LayerNormOps::inferSkip)
                .kernel(ctx -> {
                    Tensor a = FusedTensors.floatInput(ctx, 0), b = FusedTensors.floatInput(ctx, 1);
                    Shape s = FusedTensors.broadcast(ctx, a.shape(), b.shape());
                    double[] av = FusedTensors.values(a.expand(s)), bv = FusedTensors.values(b.expand(s));
                    for (int i = 0; i < av.length; i++) av[i] += bv[i];
                    // the sum is rounded to the input dtype, exactly like the Add it replaces
                    Tensor sum = FusedTensors.tensor(a.dtype(), s, av);
                    return new Object[]{layerNorm(ctx, sum, 2)};
                })
                .register(r);
    }

    private static void inferSkip(InferenceContext ctx) {
        ValueType a = ctx.inputType(0), b = ctx.inputType(1);
        if (a instanceof ValueType.TensorType ta && b instanceof ValueType.TensorType tb && ta.hasRank() && tb.hasRank()) {
            ctx.setOutputType(0, new ValueType.TensorType(ta.dtype(), dev.kiln.ops.Infers.broadcastDims(ta.dims(), tb.dims())));
        } else if (a != null) ctx.setOutputType(0, a);
    }

    /** True when {@code t} is, after leading 1s, exactly the normalized dims [axis, rank) of {@code s}. */
    private static boolean rowShaped(Tensor t, Shape s, int axis) {
        long[] d = t.shape().dims();
        int lead = 0;
        while (lead < d.length && d[lead] == 1 && d.length - lead > s.rank() - axis) lead++;
        if (d.length - lead != s.rank() - axis) return false;
        for (int i = lead; i < d.length; i++) if (d[i] != s.dim(axis + i - lead)) return false;
        return true;
    }

    /** Normalizes {@code x}; gamma and beta are inputs {@code g} and {@code g + 1}. */
    static Tensor layerNorm(KernelContext ctx, Tensor x, int g) {
        Shape s = x.shape();
        if (s.rank() == 0) throw ctx.fail("LayerNorm of a scalar");
        int axis;
        try {
            axis = s.axis(ctx.attrInt("axis"));
        } catch (RuntimeException e) {
            throw ctx.fail("axis " + ctx.attrInt("axis") + " out of range for rank " + s.rank());
        }
        double eps = ctx.attrFloat("epsilon");
        Tensor gamma = FusedTensors.broadcastTo(ctx, FusedTensors.floatInput(ctx, g), s, "gamma");
        Tensor beta = ctx.hasInput(g + 1) ? FusedTensors.broadcastTo(ctx, FusedTensors.floatInput(ctx, g + 1), s, "beta") : null;
        long n = 1;
        for (int i = axis; i < s.rank(); i++) n *= s.dim(i);
        if (n == 0) return Tensor.allocate(x.dtype(), s);
        // gamma / beta of exactly the normalized size (the usual [D]) are read per position in the row; other
        // broadcasts are materialized to X's shape
        Tensor g0 = ctx.input(g), b0 = beta == null ? null : ctx.input(g + 1);
        boolean gRow = rowShaped(g0, s, axis), bRow = b0 != null && rowShaped(b0, s, axis);
        double[] xv = FusedTensors.values(x), gv = FusedTensors.values(gRow ? g0 : gamma);
        double[] bv = beta == null ? null : FusedTensors.values(bRow ? b0 : beta);
        double[] yv = new double[xv.length];
        int len = (int) n;
        for (int base = 0; base < xv.length; base += len) {
            double mean = 0;
            for (int j = 0; j < len; j++) mean += xv[base + j];
            mean /= len;
            double var = 0;
            for (int j = 0; j < len; j++) { double d = xv[base + j] - mean; var += d * d; }
            var /= len;
            double inv = 1.0 / Math.sqrt(var + eps);
            for (int j = 0; j < len; j++) {
                int i = base + j;
                yv[i] = (xv[i] - mean) * inv * gv[gRow ? j : i] + (bv == null ? 0 : bv[bRow ? j : i]);
            }
        }
        Tensor y = FusedTensors.tensor(x.dtype(), s, yv);
        return y;
    }

}
