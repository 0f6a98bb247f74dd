package dev.kiln.ops.shape;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.Infers;
import dev.kiln.tensor.DType;

import java.util.ArrayList;
import java.util.List;

/**
 * Static type inference of the layout ops. Symbolic dims survive wherever an op only moves them (Transpose,
 * Unsqueeze, Squeeze, Reshape's 0 entries, Concat off-axis); anything that needs arithmetic on an unknown dim
 * becomes {@link Dim#UNKNOWN}. Inference never fails on unknowns: it only narrows what is certain.
 */
final class ShapeInference {
    private ShapeInference() {}

    static void reshape(InferenceContext ctx) {
        DType dt = Args.dtype(ctx, 0);
        long[] req = ctx.opsetVersion() < 5 ? Args.intsAttr(ctx, "shape") : Args.constLongs(ctx, 1);
        if (req == null) {
            TensorType st = Args.tensorType(ctx, 1);
            if (st != null && st.hasRank() && st.rank() == 1 && st.dims().get(0).isKnown())
                Args.set(ctx, 0, dt, Args.unknownDims((int) st.dims().get(0).valueOr(0)));
            else Args.set(ctx, 0, dt, null);
            return;
        }
        boolean allowZero = ctx.opsetVersion() >= 14 && Args.intAttr(ctx, "allowzero", 0) != 0;
        List<Dim> in = Args.dims(ctx, 0);
        List<Dim> out = new ArrayList<>();
        int infer = -1;
        for (int i = 0; i < req.length; i++) {
            if (req[i] == 0 && !allowZero) out.add(in != null && i < in.size() ? in.get(i) : Dim.UNKNOWN);
            else if (req[i] == -1) { infer = i; out.add(Dim.UNKNOWN); }
            else out.add(Dim.of(req[i]));
        }
        if (infer >= 0 && in != null) {
            long total = 1, known = 1;
            boolean ok = true;
            for (Dim d : in) { if (d.isKnown()) total *= d.valueOr(0); else ok = false; }
            for (int i = 0; i < out.size(); i++) if (i != infer) { if (out.get(i).isKnown()) known *= out.get(i).valueOr(0); else ok = false; }
            if (ok && known != 0 && total % known == 0) out.set(infer, Dim.of(total / known));
        }
        Args.set(ctx, 0, dt, out);
    }

    /** [start, end) of Shape's output after clamping to [0, rank]. */
    static int[] shapeRange(long start, long end, int r) {
        if (start < 0) start += r;
        if (end < 0) end += r;
        int s = (int) Math.clamp(start, 0, r), e = (int) Math.clamp(end, 0, r);
        return new int[]{s, Math.max(s, e)};
    }

    static void shape(InferenceContext ctx) {
        List<Dim> in = Args.dims(ctx, 0);
        if (in == null) { Args.set(ctx, 0, DType.I64, Args.unknownDims(1)); return; }
        long start = 0, end = in.size();
        if (ctx.opsetVersion() >= 15) {
            start = Args.intAttr(ctx, "start", 0);
            end = Args.intAttr(ctx, "end", in.size());
        }
        int[] se = shapeRange(start, end, in.size());
        Args.set(ctx, 0, DType.I64, List.of(Dim.of(se[1] - se[0])));
    }

    static void flatten(InferenceContext ctx) {
        DType dt = Args.dtype(ctx, 0);
        List<Dim> in = Args.dims(ctx, 0);
        if (in == null) { Args.set(ctx, 0, dt, Args.unknownDims(2)); return; }
        long a = Args.intAttr(ctx, "axis", 1);
        if (a < 0) a += in.size();
        Dim outer = Dim.of(1), inner = Dim.of(1);
        for (int i = 0; i < in.size(); i++) {
            if (i < a) outer = Args.mul(outer, in.get(i)); else inner = Args.mul(inner, in.get(i));
        }
        Args.set(ctx, 0, dt, List.of(outer, inner));
    }

    private static long[] axes(InferenceContext ctx) {
        return ctx.opsetVersion() < 13 ? Args.intsAttr(ctx, "axes") : Args.constLongs(ctx, 1);
    }

    static void squeeze(InferenceContext ctx) {
        DType dt = Args.dtype(ctx, 0);
        List<Dim> in = Args.dims(ctx, 0);
        long[] axes = axes(ctx);
        boolean axesGiven = ctx.opsetVersion() < 13 ? axes != null : Args.present(ctx, 1);
        if (in == null || (axesGiven && axes == null)) { Args.set(ctx, 0, dt, null); return; }
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            boolean drop = false;
            if (axes == null) {
                if (!in.get(i).isKnown()) { Args.set(ctx, 0, dt, null); return; }
                drop = in.get(i).valueOr(0) == 1;
            } else for (long a : axes) if ((a < 0 ? a + in.size() : a) == i) drop = true;
            if (!drop) out.add(in.get(i));
        }
        Args.set(ctx, 0, dt, out);
    }

    static void unsqueeze(InferenceContext ctx) {
        DType dt = Args.dtype(ctx, 0);
        List<Dim> in = Args.dims(ctx, 0);
        long[] axes = axes(ctx);
        if (in == null || axes == null) { Args.set(ctx, 0, dt, null); return; }
        int r = in.size() + axes.length;
        boolean[] ins = new boolean[r];
        for (long a : axes) { long x = a < 0 ? a + r : a; if (x >= 0 && x < r) ins[(int) x] = true; }
        List<Dim> out = new ArrayList<>();
        for (int i = 0, j = 0; i < r; i++) out.add(ins[i] ? Dim.of(1) : j < in.size() ? in.get(j++) : Dim.UNKNOWN);
        Args.set(ctx, 0, dt, out);
    }

    static void transpose(InferenceContext ctx) {
        DType dt = Args.dtype(ctx, 0);
        List<Dim> in = Args.dims(ctx, 0);
        if (in == null) { Args.set(ctx, 0, dt, null); return; }
        long[] p = Args.intsAttr(ctx, "perm");
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            long a = p == null ? in.size() - 1 - i : p[i] < 0 ? p[i] + in.size() : p[i];
            out.add(in.get((int) a));
        }
        Args.set(ctx, 0, dt, out);
    }

    static void concat(InferenceContext ctx) {
        DType dt = Args.dtype(ctx, 0);
        List<Dim> first = Args.dims(ctx, 0);
        if (first == null) { Args.set(ctx, 0, dt, null); return; }
        long a = Args.intAttr(ctx, "axis", 1);
        int axis = (int) (a < 0 ? a + first.size() : a);
        List<Dim> out = new ArrayList<>(first);
        long sum = 0;
        boolean known = true;
        for (int i = 0; i < ctx.inputCount(); i++) {
            if (!Args.present(ctx, i)) continue;
            List<Dim> d = Args.dims(ctx, i);
            if (d == null || axis >= d.size()) { known = false; continue; }
            if (d.get(axis).isKnown()) sum += d.get(axis).valueOr(0); else known = false;
            for (int k = 0; k < d.size(); k++) if (k != axis && !out.get(k).isKnown() && d.get(k).isKnown()) out.set(k, d.get(k));
        }
        if (axis >= 0 && axis < out.size()) out.set(axis, known ? Dim.of(sum) : Dim.UNKNOWN);
        Args.set(ctx, 0, dt, out);
    }

    static void split(InferenceContext ctx) {
        DType dt = Args.dtype(ctx, 0);
        List<Dim> in = Args.dims(ctx, 0);
        int n = ctx.outputCount();
        if (in == null) { for (int i = 0; i < n; i++) Args.set(ctx, i, dt, null); return; }
        long a = Args.intAttr(ctx, "axis", 0);
        int axis = (int) (a < 0 ? a + in.size() : a);
        long[] sizes = ctx.opsetVersion() >= 13 ? Args.constLongs(ctx, 1) : Args.intsAttr(ctx, "split");
        if (sizes == null && in.get(axis).isKnown() && !(ctx.opsetVersion() >= 13 && Args.present(ctx, 1)))
            sizes = ShapeOps.evenChunks(in.get(axis).valueOr(0), n, true);
        for (int i = 0; i < n; i++) {
            List<Dim> out = new ArrayList<>(in);
            out.set(axis, sizes != null && i < sizes.length ? Dim.of(sizes[i]) : Dim.UNKNOWN);
            Args.set(ctx, i, dt, out);
        }
    }

    static void slice(InferenceContext ctx) {
        DType dt = Args.dtype(ctx, 0);
        List<Dim> in = Args.dims(ctx, 0);
        if (in == null) { Args.set(ctx, 0, dt, null); return; }
        long[] starts, ends, axes, steps = null;
        if (ctx.opsetVersion() < 10) {
            starts = Args.intsAttr(ctx, "starts");
            ends = Args.intsAttr(ctx, "ends");
            axes = Args.intsAttr(ctx, "axes");
        } else {
            starts = Args.constLongs(ctx, 1);
            ends = Args.constLongs(ctx, 2);
            axes = Args.constLongs(ctx, 3);
            steps = Args.constLongs(ctx, 4);
            if ((Args.present(ctx, 3) && axes == null) || (Args.present(ctx, 4) && steps == null)) starts = null;
        }
        if (starts == null || ends == null) { Args.set(ctx, 0, dt, Args.unknownDims(in.size())); return; }
        List<Dim> out = new ArrayList<>(in);
        for (int i = 0; i < starts.length; i++) {
            long ax = axes == null ? i : axes[i] < 0 ? axes[i] + in.size() : axes[i];
            if (ax < 0 || ax >= in.size()) continue;
            Dim d = in.get((int) ax);
            long step = steps == null ? 1 : steps[i];
            out.set((int) ax, d.isKnown() && step != 0 ? Dim.of(ShapeOps.sliceRange(d.valueOr(0), starts[i], ends[i], step)[1]) : Dim.UNKNOWN);
        }
        Args.set(ctx, 0, dt, out);
    }

    static void expand(InferenceContext ctx) {
        DType dt = Args.dtype(ctx, 0);
        List<Dim> in = Args.dims(ctx, 0);
        long[] target = Args.constLongs(ctx, 1);
        if (in != null && target == null) {
            // Unknown target values: only the rank is certain, when the target's length is.
            List<Dim> st = Args.dims(ctx, 1);
            if (st != null && st.size() == 1 && st.get(0).isKnown())
                Args.set(ctx, 0, dt, Args.unknownDims((int) Math.max(in.size(), st.get(0).valueOr(0))));
            else Args.set(ctx, 0, dt, null);
            return;
        }
        if (in == null) { Args.set(ctx, 0, dt, null); return; }
        List<Dim> t = new ArrayList<>();
        for (long x : target) t.add(Dim.of(x));
        Args.set(ctx, 0, dt, Infers.broadcastDims(in, t));
    }

    static void tile(InferenceContext ctx) {
        DType dt = Args.dtype(ctx, 0);
        List<Dim> in = Args.dims(ctx, 0);
        long[] rep = Args.constLongs(ctx, 1);
        if (in == null) { Args.set(ctx, 0, dt, null); return; }
        if (rep == null || rep.length != in.size()) { Args.set(ctx, 0, dt, Args.unknownDims(in.size())); return; }
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < rep.length; i++) out.add(Args.mul(in.get(i), Dim.of(rep[i])));
        Args.set(ctx, 0, dt, out);
    }
}
