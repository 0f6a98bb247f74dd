package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Op family: BatchNormalization, LayerNormalization, InstanceNormalization, GroupNormalization,
 * RMSNormalization, LRN, MeanVarianceNormalization, Dropout. Statistics are computed in double whatever the
 * stash type: that is at least as precise as the requested stash precision, which is what an oracle needs.
 */
public final class NormalizationOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("BatchNormalization").since(1, 6, 7, 9, 14, 15)
                .attrFloat("epsilon", 1e-5f).attrFloat("momentum", 0.9f).attrInt("training_mode", 0)
                .attrInt("spatial", 1).attrInt("is_test", 0).attrInts("consumed_inputs", new long[0])
                .infer(NormalizationOps::inferBatchNorm)
                .kernel(BatchNorm::run)
                .register(r);
        OpSchema.builder("LayerNormalization").since(17)
                .attrInt("axis", -1).attrFloat("epsilon", 1e-5f).attrInt("stash_type", 1)
                .infer(NormalizationOps::inferLayerNorm)
                .kernel(NormalizationOps::layerNorm)
                .register(r);
        OpSchema.builder("RMSNormalization").since(23)
                .attrInt("axis", -1).attrFloat("epsilon", 1e-5f).attrInt("stash_type", 1)
                .infer(Infers.SAME_AS_INPUT0)
                .kernel(NormalizationOps::rmsNorm)
                .register(r);
        OpSchema.builder("InstanceNormalization").since(1, 6, 22)
                .attrFloat("epsilon", 1e-5f).attrInts("consumed_inputs", new long[0])
                .infer(Infers.SAME_AS_INPUT0)
                .kernel(NormalizationOps::instanceNorm)
                .register(r);
        OpSchema.builder("GroupNormalization").since(18, 21)
                .attrFloat("epsilon", 1e-5f).required("num_groups", Attribute.Kind.INT).attrInt("stash_type", 1)
                .infer(Infers.SAME_AS_INPUT0)
                .kernel(NormalizationOps::groupNorm)
                .register(r);
        OpSchema.builder("LRN").since(1, 13)
                .attrFloat("alpha", 1e-4f).attrFloat("beta", 0.75f).attrFloat("bias", 1f)
                .required("size", Attribute.Kind.INT)
                .infer(Infers.SAME_AS_INPUT0)
                .kernel(NormalizationOps::lrn)
                .register(r);
        OpSchema.builder("MeanVarianceNormalization").since(1, 9, 13)
                .attrInts("axes", new long[]{0, 2, 3}).attrInt("across_channels", 0).attrInt("normalize_variance", 1)
                .infer(Infers.SAME_AS_INPUT0)
                .kernel(NormalizationOps::mvn)
                .register(r);
        Dropout.register(r);
    }

    // ------------------------------------------------------------------ inference

    private static void inferBatchNorm(InferenceContext ctx) {
        ctx.setOutputType(0, ctx.inputType(0));
        for (int o = 1; o < ctx.outputCount() && o < 3; o++) ctx.setOutputType(o, ctx.inputType(o + 2));
    }

    private static void inferLayerNorm(InferenceContext ctx) {
        ctx.setOutputType(0, ctx.inputType(0));
        if (!(ctx.inputType(0) instanceof TensorType t) || !t.hasRank()) return;
        var ax = ctx.node().attribute("axis");
        var st = ctx.node().attribute("stash_type");
        int axis;
        try {
            axis = Shape.normalizeAxis(ax == null ? -1 : ax.asInt(), t.rank());
        } catch (IllegalArgumentException e) {
            return;
        }
        List<Dim> d = new ArrayList<>(t.dims());
        for (int i = axis; i < d.size(); i++) d.set(i, Dim.of(1));
        DType u = stashType(st == null ? 1 : st.asInt());
        for (int o = 1; o < ctx.outputCount() && o < 3; o++) ctx.setOutputType(o, new TensorType(u, d));
    }

    static DType stashType(long code) {
        try {
            DType t = DType.fromOnnx((int) code);
            return t.isFloatingPoint() ? t : DType.F32;
        } catch (IllegalArgumentException e) {
            return DType.F32;
        }
    }

    // ------------------------------------------------------------------ LayerNormalization / RMSNormalization

    private static int axisOf(KernelContext ctx, Tensor x) {
        long a = ctx.attrInt("axis");
        if (a < -x.rank() || a >= x.rank()) throw ctx.fail("axis " + a + " out of range for input of shape " + x.shape());
        return (int) (a < 0 ? a + x.rank() : a);
    }

    /**
     * {@code p} broadcast (unidirectionally) to {@code target} = X's shape, as a dense array in X's logical order.
     * When p only spans the normalized axes (the usual case), the result has just {@code inner} elements and the
     * caller indexes it modulo {@code inner}: that avoids materialising a full-size copy of Scale and B per call.
     */
    static double[] broadcastTo(KernelContext ctx, Tensor p, Shape target, int axis, String what) {
        if (!p.shape().broadcastableTo(target)) throw ctx.fail(what + " of shape " + p.shape() + " does not broadcast to " + target);
        if (p.rank() <= target.rank() - axis) {
            Shape normalized = Shape.of(java.util.Arrays.copyOfRange(target.dims(), axis, target.rank()));
            return NnTensors.doubles(p.shape().equals(normalized) ? p : p.expand(normalized));
        }
        return NnTensors.doubles(p.expand(target));
    }

    private static Object[] layerNorm(KernelContext ctx) {
        Tensor x = ctx.input(0), scale = ctx.input(1), bias = ctx.optionalInput(2);
        NnTensors.requireFloat(ctx, x, "LayerNormalization input X");
        int axis = axisOf(ctx, x);
        long[] d = x.shape().dims();
        int outer = (int) NnTensors.product(d, 0, axis), inner = (int) NnTensors.product(d, axis, d.length);
        double eps = ctx.attrFloat("epsilon");
        double[] xv = NnTensors.doubles(x), y = new double[xv.length];
        double[] s = broadcastTo(ctx, scale, x.shape(), axis, "LayerNormalization Scale");
        double[] b = bias == null ? null : broadcastTo(ctx, bias, x.shape(), axis, "LayerNormalization B");
        double[] mean = new double[outer], inv = new double[outer];
        for (int o = 0; o < outer; o++) {
            int base = o * inner;
            double[] mi = meanAndInvStd(xv, base, inner, eps);
            double m = mi[0], is = mi[1];
            mean[o] = m;
            inv[o] = is;
            for (int i = 0; i < inner; i++) {
                double t = (xv[base + i] - m) * is * s[(base + i) % s.length];
                y[base + i] = b == null ? t : t + b[(base + i) % b.length];
            }
        }
        long[] statDims = d.clone();
        for (int i = axis; i < d.length; i++) statDims[i] = 1;
        DType u = stashType(ctx.attrInt("stash_type"));
        return new Object[]{
                NnTensors.fromDoubles(x.dtype(), x.shape(), y),
                ctx.outputRequested(1) ? NnTensors.fromDoubles(u, Shape.of(statDims), mean) : null,
                ctx.outputRequested(2) ? NnTensors.fromDoubles(u, Shape.of(statDims), inv) : null};
    }

    private static Object[] rmsNorm(KernelContext ctx) {
        Tensor x = ctx.input(0), scale = ctx.input(1);
        NnTensors.requireFloat(ctx, x, "RMSNormalization input X");
        int axis = axisOf(ctx, x);
        long[] d = x.shape().dims();
        int outer = (int) NnTensors.product(d, 0, axis), inner = (int) NnTensors.product(d, axis, d.length);
        double eps = ctx.attrFloat("epsilon");
        double[] xv = NnTensors.doubles(x), y = new double[xv.length];
        double[] s = broadcastTo(ctx, scale, x.shape(), axis, "RMSNormalization scale");
        for (int o = 0; o < outer; o++) {
            int base = o * inner;
            double ms = 0;
            for (int i = 0; i < inner; i++) ms += xv[base + i] * xv[base + i];
            double rms = Math.sqrt(ms / inner + eps);
            for (int i = 0; i < inner; i++) y[base + i] = xv[base + i] / rms * s[(base + i) % s.length];
        }
        return new Object[]{NnTensors.fromDoubles(scale.dtype(), x.shape(), y)};
    }

    // ------------------------------------------------------------------ Instance / Group normalization

    /** Normalises each of {@code outer} consecutive blocks of {@code inner} elements to mean 0, variance 1. */
    static double[] standardizeBlocks(double[] xv, int outer, int inner, double eps) {
        double[] y = new double[xv.length];
        for (int o = 0; o < outer; o++) {
            int base = o * inner;
            double[] mi = meanAndInvStd(xv, base, inner, eps);
            for (int i = 0; i < inner; i++) y[base + i] = (xv[base + i] - mi[0]) * mi[1];
        }
        return y;
    }

    /** {mean, 1 / sqrt(variance + eps)} of {@code xv[base, base + inner)}: population variance, two passes. */
    private static double[] meanAndInvStd(double[] xv, int base, int inner, double eps) {
        double m = 0;
        for (int i = 0; i < inner; i++) m += xv[base + i];
        m /= inner;
        double v = 0;
        for (int i = 0; i < inner; i++) { double t = xv[base + i] - m; v += t * t; }
        v /= inner;
        return new double[]{m, 1.0 / Math.sqrt(v + eps)};
    }

    private static Object[] instanceNorm(KernelContext ctx) {
        Tensor x = ctx.input(0);
        NnTensors.requireMinRank(ctx, x, 2, "InstanceNormalization input");
        NnTensors.requireFloat(ctx, x, "InstanceNormalization input");
        long c = x.shape().dim(1);
        double[] s = perChannel(ctx, ctx.input(1), c, "scale"), b = perChannel(ctx, ctx.input(2), c, "B");
        long[] d = x.shape().dims();
        int outer = (int) (d[0] * c), inner = (int) NnTensors.product(d, 2, d.length);
        double[] y = standardizeBlocks(NnTensors.doubles(x), outer, inner, ctx.attrFloat("epsilon"));
        for (int o = 0; o < outer; o++) {
            int ch = (int) (o % c);
            for (int i = 0; i < inner; i++) y[o * inner + i] = y[o * inner + i] * s[ch] + b[ch];
        }
        return new Object[]{NnTensors.fromDoubles(x.dtype(), x.shape(), y)};
    }

    static double[] perChannel(KernelContext ctx, Tensor p, long c, String what) {
        if (p.numel() != c) throw ctx.fail(what + " must have " + c + " elements (one per channel), got shape " + p.shape());
        return NnTensors.doubles(p);
    }

    private static Object[] groupNorm(KernelContext ctx) {
        Tensor x = ctx.input(0);
        NnTensors.requireMinRank(ctx, x, 2, "GroupNormalization input");
        NnTensors.requireFloat(ctx, x, "GroupNormalization input");
        long[] d = x.shape().dims();
        long c = d[1], g = ctx.attrInt("num_groups");
        if (g <= 0 || c % g != 0) throw ctx.fail("num_groups " + g + " must divide the channel count " + c);
        // Opset 18 scales per group; opset 21 fixed the spec to scale per channel.
        long per = ctx.opsetVersion() >= 21 ? c : g;
        double[] s = perChannel(ctx, ctx.input(1), per, "scale"), b = perChannel(ctx, ctx.input(2), per, "bias");
        int spatial = (int) NnTensors.product(d, 2, d.length);
        int outer = (int) (d[0] * g), inner = (int) (c / g) * spatial;
        double[] y = standardizeBlocks(NnTensors.doubles(x), outer, inner, ctx.attrFloat("epsilon"));
        for (int i = 0; i < y.length; i++) {
            int ch = (int) ((i / spatial) % c);
            int k = per == c ? ch : (int) (ch / (c / g));
            y[i] = y[i] * s[k] + b[k];
        }
        return new Object[]{NnTensors.fromDoubles(x.dtype(), x.shape(), y)};
    }

    // ------------------------------------------------------------------ LRN / MVN

    private static Object[] lrn(KernelContext ctx) {
        Tensor x = ctx.input(0);
        NnTensors.requireMinRank(ctx, x, 3, "LRN input");
        NnTensors.requireFloat(ctx, x, "LRN input");
        long size = ctx.attrInt("size");
        if (size <= 0) throw ctx.fail("LRN size must be positive, got " + size);
        double alpha = ctx.attrFloat("alpha"), beta = ctx.attrFloat("beta"), bias = ctx.attrFloat("bias");
        long[] d = x.shape().dims();
        int n = (int) d[0], c = (int) d[1], sp = (int) NnTensors.product(d, 2, d.length);
        int lo = (int) ((size - 1) / 2), hi = (int) ((size - 1) - (size - 1) / 2);  // floor and ceil of (size-1)/2
        double[] xv = NnTensors.doubles(x), y = new double[xv.length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < sp; p++) {
                    double sq = 0;
                    for (int k = Math.max(0, ch - lo); k <= Math.min(c - 1, ch + hi); k++) {
                        double v = xv[(b * c + k) * sp + p];
                        sq += v * v;
                    }
                    int i = (b * c + ch) * sp + p;
                    y[i] = xv[i] / Math.pow(bias + alpha / size * sq, beta);
                }
        return new Object[]{NnTensors.fromDoubles(x.dtype(), x.shape(), y)};
    }

    /** (X - mean) / (std + 1e-9) over the given axes, as the ONNX function body defines it. */
    private static Object[] mvn(KernelContext ctx) {
        Tensor x = ctx.input(0);
        NnTensors.requireFloat(ctx, x, "MeanVarianceNormalization input");
        int r = x.rank();
        boolean[] reduced = new boolean[r];
        for (long a : ctx.attrInts("axes")) {
            if (a < -r || a >= r) throw ctx.fail("axis " + a + " out of range for input of shape " + x.shape());
            reduced[(int) (a < 0 ? a + r : a)] = true;
        }
        long[] d = x.shape().dims();
        long[] keep = d.clone();
        for (int i = 0; i < r; i++) if (reduced[i]) keep[i] = 1;
        Shape ks = Shape.of(keep);
        int groups = (int) ks.numel();
        double[] xv = NnTensors.doubles(x), sum = new double[groups], sum2 = new double[groups];
        int[] group = groupIndex(d, reduced);
        for (int i = 0; i < xv.length; i++) { sum[group[i]] += xv[i]; sum2[group[i]] += xv[i] * xv[i]; }
        double cnt = groups == 0 ? 1 : (double) xv.length / groups;
        double[] y = new double[xv.length];
        for (int i = 0; i < xv.length; i++) {
            double m = sum[group[i]] / cnt;
            double var = sum2[group[i]] / cnt - m * m;
            y[i] = (xv[i] - m) / (Math.sqrt(Math.max(var, 0)) + 1e-9);
        }
        return new Object[]{NnTensors.fromDoubles(x.dtype(), x.shape(), y)};
    }

    /** For each element (logical order), the flat index of its slot in the shape with reduced axes set to 1. */
    static int[] groupIndex(long[] d, boolean[] reduced) {
        int r = d.length;
        int n = (int) NnTensors.product(d, 0, r);
        int[] out = new int[n];
        long[] idx = new long[r];
        for (int i = 0; i < n; i++) {
            long g = 0;
            for (int a = 0; a < r; a++) g = g * (reduced[a] ? 1 : d[a]) + (reduced[a] ? 0 : idx[a]);
            out[i] = (int) g;
            for (int a = r - 1; a >= 0; a--) { if (++idx[a] < d[a]) break; idx[a] = 0; }
        }
        return out;
    }
}
