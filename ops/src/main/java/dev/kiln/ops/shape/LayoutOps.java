package dev.kiln.ops.shape;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Layout ops that rearrange blocks or border regions: DepthToSpace, SpaceToDepth, Pad, CenterCropPad, ReverseSequence. */
final class LayoutOps {
    private LayoutOps() {}

    static void register(OpRegistry r) {
        OpSchema.builder("DepthToSpace").since(1, 11, 13).required("blocksize", dev.kiln.graph.Attribute.Kind.INT)
                .attrString("mode", "DCR").infer(ctx -> blockInfer(ctx, true)).kernel(LayoutOps::depthToSpace).register(r);
        OpSchema.builder("SpaceToDepth").since(1, 13).required("blocksize", dev.kiln.graph.Attribute.Kind.INT)
                .infer(ctx -> blockInfer(ctx, false)).kernel(LayoutOps::spaceToDepth).register(r);
        OpSchema.builder("Pad").since(1, 2, 11, 13, 18, 19, 21, 23).attrString("mode", "constant").attrFloat("value", 0f)
                .infer(LayoutOps::padInfer).kernel(LayoutOps::pad).register(r);
        OpSchema.builder("CenterCropPad").since(18)
                .infer(LayoutOps::centerCropPadInfer).kernel(LayoutOps::centerCropPad).register(r);
        OpSchema.builder("ReverseSequence").since(10).attrInt("batch_axis", 1).attrInt("time_axis", 0)
                .infer(Infers.SAME_AS_INPUT0).kernel(LayoutOps::reverseSequence).register(r);
    }

    private static List<Dim> rankOnly(InferenceContext ctx) {
        List<Dim> d = Args.dims(ctx, 0);
        return d == null ? null : Args.unknownDims(d.size());
    }

    private static void padInfer(InferenceContext ctx) {
        List<Dim> in = Args.dims(ctx, 0);
        long[] pads = ctx.opsetVersion() < 11 ? Args.intsAttr(ctx, ctx.opsetVersion() < 2 ? "paddings" : "pads") : Args.constLongs(ctx, 1);
        long[] axes = ctx.opsetVersion() >= 18 ? Args.constLongs(ctx, 3) : null;
        if (in == null || pads == null || (axes == null && ctx.opsetVersion() >= 18 && Args.present(ctx, 3))) {
            Args.set(ctx, 0, Args.dtype(ctx, 0), rankOnly(ctx));
            return;
        }
        int r = in.size();
        if (axes == null) { axes = new long[r]; for (int i = 0; i < r; i++) axes[i] = i; }
        if (pads.length != 2 * axes.length) { Args.set(ctx, 0, Args.dtype(ctx, 0), rankOnly(ctx)); return; }
        List<Dim> out = new ArrayList<>(in);
        for (int i = 0; i < axes.length; i++) {
            int a = (int) (axes[i] < 0 ? axes[i] + r : axes[i]);
            if (a < 0 || a >= r) continue;
            Dim d = in.get(a);
            long add = pads[i] + pads[i + axes.length];
            out.set(a, add == 0 ? d : d.isKnown() ? Dim.of(Math.max(0, d.valueOr(0) + add)) : Dim.UNKNOWN);
        }
        Args.set(ctx, 0, Args.dtype(ctx, 0), out);
    }

    private static void centerCropPadInfer(InferenceContext ctx) {
        List<Dim> in = Args.dims(ctx, 0);
        long[] target = Args.constLongs(ctx, 1);
        if (in == null || target == null) { Args.set(ctx, 0, Args.dtype(ctx, 0), rankOnly(ctx)); return; }
        long[] axes = Args.intsAttr(ctx, "axes");
        List<Dim> out = new ArrayList<>(in);
        for (int i = 0; i < target.length; i++) {
            long a = axes == null ? i : axes[i] < 0 ? axes[i] + in.size() : axes[i];
            if (a >= 0 && a < in.size()) out.set((int) a, Dim.of(target[i]));
        }
        Args.set(ctx, 0, Args.dtype(ctx, 0), out);
    }

    private static void blockInfer(InferenceContext ctx, boolean toSpace) {
        List<Dim> in = Args.dims(ctx, 0);
        var a = ctx.node().attribute("blocksize");
        if (in == null || in.size() != 4 || a == null) { Args.set(ctx, 0, Args.dtype(ctx, 0), rankOnly(ctx)); return; }
        long b = a.asInt();
        List<Dim> out = new ArrayList<>();
        out.add(in.get(0));
        if (toSpace) {
            out.add(in.get(1).isKnown() ? Dim.of(in.get(1).valueOr(0) / (b * b)) : Dim.UNKNOWN);
            out.add(Args.mul(in.get(2), Dim.of(b)));
            out.add(Args.mul(in.get(3), Dim.of(b)));
        } else {
            out.add(Args.mul(in.get(1), Dim.of(b * b)));
            out.add(in.get(2).isKnown() ? Dim.of(in.get(2).valueOr(0) / b) : Dim.UNKNOWN);
            out.add(in.get(3).isKnown() ? Dim.of(in.get(3).valueOr(0) / b) : Dim.UNKNOWN);
        }
        Args.set(ctx, 0, Args.dtype(ctx, 0), out);
    }

    private static Object[] depthToSpace(KernelContext ctx) {
        Tensor x = View.dense(ctx.input(0));
        if (x.rank() != 4) throw ctx.fail("input must be 4-D (N,C,H,W), got " + x.shape());
        long b = ctx.attrInt("blocksize");
        long n = x.shape().dim(0), c = x.shape().dim(1), h = x.shape().dim(2), w = x.shape().dim(3);
        if (b <= 0 || c % (b * b) != 0) throw ctx.fail("channels " + c + " not divisible by blocksize^2 (" + b + ")");
        boolean crd = ctx.opsetVersion() >= 11 && ctx.attrString("mode").equals("CRD");
        Tensor y = crd
                ? View.of(x.reshape(n, c / (b * b), b, b, h, w)).permute(new int[]{0, 1, 4, 2, 5, 3}).materialize()
                : View.of(x.reshape(n, b, b, c / (b * b), h, w)).permute(new int[]{0, 3, 4, 1, 5, 2}).materialize();
        return new Object[]{y.reshape(n, c / (b * b), h * b, w * b)};
    }

    private static Object[] spaceToDepth(KernelContext ctx) {
        Tensor x = View.dense(ctx.input(0));
        if (x.rank() != 4) throw ctx.fail("input must be 4-D (N,C,H,W), got " + x.shape());
        long b = ctx.attrInt("blocksize");
        long n = x.shape().dim(0), c = x.shape().dim(1), h = x.shape().dim(2), w = x.shape().dim(3);
        if (b <= 0 || h % b != 0 || w % b != 0) throw ctx.fail("spatial dims " + h + "x" + w + " not divisible by blocksize " + b);
        Tensor y = View.of(x.reshape(n, c, h / b, b, w / b, b)).permute(new int[]{0, 3, 5, 1, 2, 4}).materialize();
        return new Object[]{y.reshape(n, c * b * b, h / b, w / b)};
    }

    // ------------------------------------------------------------------ Pad

    private static Object[] pad(KernelContext ctx) {
        Tensor x = ctx.input(0);
        int r = x.rank();
        int v = ctx.opsetVersion();
        long[] pads;
        Tensor constant = null;
        long[] axesArg = null;
        if (v < 11) {
            pads = ctx.attrInts(v < 2 ? "paddings" : "pads");
            if (pads == null) throw ctx.fail("attribute 'pads' is required");
        } else {
            pads = ctx.input(1).toLongArray();
            constant = ctx.optionalInput(2);
            if (v >= 18 && ctx.hasInput(3)) axesArg = ctx.input(3).toLongArray();
        }
        int[] axes;
        if (axesArg == null) {
            axes = new int[r];
            for (int i = 0; i < r; i++) axes[i] = i;
        } else axes = Args.axes(ctx, axesArg, r);
        if (pads.length != 2 * axes.length) throw ctx.fail("pads has " + pads.length + " entries for " + axes.length + " axes");
        long[] begin = new long[r], end = new long[r];
        for (int i = 0; i < axes.length; i++) { begin[axes[i]] = pads[i]; end[axes[i]] = pads[i + axes.length]; }
        String mode = ctx.attrString("mode");
        // Negative pads crop first; the rest pads the cropped input.
        View src = View.of(x);
        for (int a = 0; a < r; a++) {
            long d = src.dims()[a];
            long cb = Math.max(0, -begin[a]), ce = Math.max(0, -end[a]);
            if (cb + ce > d) throw ctx.fail("negative pads crop more than dim " + a + " (" + d + ")");
            if (cb + ce > 0) src = src.slice(a, cb, d - cb - ce, 1);
            begin[a] = Math.max(0, begin[a]);
            end[a] = Math.max(0, end[a]);
        }
        Tensor in = src.materialize();
        long[] out = new long[r];
        for (int a = 0; a < r; a++) out[a] = Math.addExact(Math.addExact(in.shape().dim(a), begin[a]), end[a]);
        Tensor y = Tensor.allocate(x.dtype(), Args.shape(ctx, out));
        if (mode.equals("constant")) {
            if (constant != null && constant.numel() > 0) Args.fill(y, constant, 0);
            else if (v < 11 && x.dtype() != DType.STRING) Args.fill(y, Tensor.scalar(DType.F64, ctx.attrFloat("value")), 0);
            View dst = View.of(y);
            for (int a = 0; a < r; a++) dst = dst.slice(a, begin[a], in.shape().dim(a), 1);
            View.copy(View.of(in), dst);
            return new Object[]{y};
        }
        if (!mode.equals("reflect") && !mode.equals("edge") && !(mode.equals("wrap") && v >= 19))
            throw ctx.fail("unsupported pad mode '" + mode + "'");
        // Border modes: each output coordinate maps to one input coordinate per axis.
        long[][] map = new long[r][];
        long[] inStride = in.shape().contiguousStrides();
        for (int a = 0; a < r; a++) {
            long d = in.shape().dim(a);
            if (d == 0 && out[a] > 0) throw ctx.fail("cannot " + mode + "-pad an empty axis " + a);
            map[a] = new long[(int) out[a]];
            for (int i = 0; i < out[a]; i++) map[a][i] = borderIndex(mode, i - begin[a], d) * inStride[a];
        }
        long n = y.numel();
        long[] idx = new long[r];
        for (long o = 0; o < n; o++) {
            long s = 0;
            for (int a = 0; a < r; a++) s += map[a][(int) idx[a]];
            Args.copyElem(in, s, y, o);
            for (int a = r - 1; a >= 0; a--) { if (++idx[a] < out[a]) break; idx[a] = 0; }
        }
        return new Object[]{y};
    }

    private static long borderIndex(String mode, long j, long d) {
        if (j >= 0 && j < d) return j;
        switch (mode) {
            case "edge": return j < 0 ? 0 : d - 1;
            case "wrap": return Math.floorMod(j, d);
            default: {
                if (d == 1) return 0;
                long period = 2 * (d - 1);
                long m = Math.floorMod(j, period);
                return m < d ? m : period - m;
            }
        }
    }

    // ------------------------------------------------------------------ CenterCropPad / ReverseSequence

    private static Object[] centerCropPad(KernelContext ctx) {
        Tensor x = ctx.input(0);
        long[] target = ctx.input(1).toLongArray();
        int r = x.rank();
        long[] ax = ctx.attrInts("axes");
        int[] axes;
        if (ax == null) {
            axes = new int[r];
            for (int i = 0; i < r; i++) axes[i] = i;
        } else axes = Args.axes(ctx, ax, r);
        if (target.length != axes.length) throw ctx.fail("shape has " + target.length + " entries for " + axes.length + " axes");
        long[] out = x.shape().dims();
        for (int i = 0; i < axes.length; i++) out[axes[i]] = target[i];
        Tensor y = Tensor.allocate(x.dtype(), Args.shape(ctx, out));
        View src = View.of(x), dst = View.of(y);
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i];
            long d = x.shape().dim(a), t = target[i];
            long keep = Math.min(d, t);
            src = src.slice(a, Math.max(0, (d - t) / 2), keep, 1);
            dst = dst.slice(a, Math.max(0, (t - d) / 2), keep, 1);
        }
        View.copy(src, dst);
        return new Object[]{y};
    }

    private static Object[] reverseSequence(KernelContext ctx) {
        Tensor x = ctx.input(0);
        long[] lens = ctx.input(1).toLongArray();
        int r = x.rank();
        if (r < 2) throw ctx.fail("input must have rank >= 2");
        int ba = Args.axis(ctx, ctx.attrInt("batch_axis"), r), ta = Args.axis(ctx, ctx.attrInt("time_axis"), r);
        if (ba == ta) throw ctx.fail("batch_axis and time_axis must differ");
        long batch = x.shape().dim(ba), time = x.shape().dim(ta);
        if (lens.length != batch) throw ctx.fail("sequence_lens has " + lens.length + " entries for batch " + batch);
        Tensor y = View.dense(x).copy();
        View src = View.of(x), dst = View.of(y);
        for (int b = 0; b < batch; b++) {
            long len = lens[b];
            if (len < 0 || len > time) throw ctx.fail("sequence length " + len + " outside [0, " + time + "]");
            if (len == 0) continue;
            View s = src.slice(ba, b, 1, 1).slice(ta, len - 1, len, -1);
            View d = dst.slice(ba, b, 1, 1).slice(ta, 0, len, 1);
            View.copy(s, d);
        }
        return new Object[]{y};
    }

}
