package dev.kiln.ops.shape;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Ordering ops: TopK (stable: equal values keep ascending index order) and Unique (sorted or first-occurrence order). */
final class SortOps {
    private SortOps() {}

    static void register(OpRegistry r) {
        OpSchema.builder("TopK").since(1, 10, 11, 24).attrInt("axis", -1).attrInt("largest", 1).attrInt("sorted", 1)
                .infer(SortOps::topKInfer).kernel(SortOps::topK).register(r);
        OpSchema.builder("Unique").since(11).attrInt("sorted", 1)
                .infer(ctx -> {
                    // Without an axis the input is flattened; with one only that axis changes length.
                    List<Dim> in = Args.dims(ctx, 0);
                    boolean axis = ctx.node().attribute("axis") != null;
                    Args.set(ctx, 0, Args.dtype(ctx, 0), !axis ? List.of(Dim.UNKNOWN) : in == null ? null : Args.unknownDims(in.size()));
                    for (int i = 1; i < ctx.outputCount(); i++) Args.set(ctx, i, DType.I64, List.of(Dim.UNKNOWN));
                    if (in != null && ctx.outputCount() > 2) {
                        Dim n = Dim.of(1);
                        if (axis) {
                            long a = Args.intAttr(ctx, "axis", 0);
                            int ax = (int) (a < 0 ? a + in.size() : a);
                            n = ax >= 0 && ax < in.size() ? in.get(ax) : Dim.UNKNOWN;
                        } else for (Dim d : in) n = Args.mul(n, d);
                        Args.set(ctx, 2, DType.I64, List.of(n));   // inverse_indices: one per input row
                    }
                }).kernel(SortOps::unique).register(r);
    }

    /**
     * Compares two elements of one tensor by logical index: numeric order (unsigned where it applies) or string
     * order. Floats follow numpy's sort: -0.0 equals 0.0 (so ties keep index order) and NaN sorts above everything.
     */
    static int compare(Tensor t, long a, long b) {
        DType dt = t.dtype();
        if (dt == DType.STRING) return t.getString(a).compareTo(t.getString(b));
        if (dt.isFloatingPoint()) {
            double x = t.getDouble(a), y = t.getDouble(b);
            if (x < y) return -1;
            if (x > y) return 1;
            boolean nx = Double.isNaN(x), ny = Double.isNaN(y);
            return nx == ny ? 0 : nx ? 1 : -1;
        }
        if (dt == DType.U64) return Long.compareUnsigned(t.getLong(a), t.getLong(b));
        return Long.compare(t.getLong(a), t.getLong(b));
    }

    // ------------------------------------------------------------------ TopK

    private static void topKInfer(InferenceContext ctx) {
        List<Dim> in = Args.dims(ctx, 0);
        List<Dim> out = null;
        if (in != null) {
            out = new ArrayList<>(in);
            long a = Args.intAttr(ctx, "axis", -1);
            int axis = (int) (a < 0 ? a + in.size() : a);
            long[] k = ctx.opsetVersion() >= 10 ? Args.constLongs(ctx, 1) : new long[]{Args.intAttr(ctx, "k", -1)};
            if (axis >= 0 && axis < out.size()) out.set(axis, k != null && k.length == 1 && k[0] >= 0 ? Dim.of(k[0]) : Dim.UNKNOWN);
        }
        Args.set(ctx, 0, Args.dtype(ctx, 0), out);
        Args.set(ctx, 1, DType.I64, out);
    }

    private static Object[] topK(KernelContext ctx) {
        Tensor x = View.dense(ctx.input(0));
        int r = x.rank();
        int axis = Args.axis(ctx, ctx.attrInt("axis"), r);
        long k;
        if (ctx.opsetVersion() >= 10) {
            Tensor kt = ctx.input(1);
            if (kt.numel() != 1) throw ctx.fail("K must hold one value");
            k = kt.getLong(0);
        } else k = ctx.attrInt("k");
        long n = x.shape().dim(axis);
        if (k < 0 || k > n) throw ctx.fail("k = " + k + " outside [0, " + n + "]");
        boolean largest = ctx.opsetVersion() < 11 || ctx.attrInt("largest") != 0;
        long[] out = x.shape().dims();
        out[axis] = k;
        Tensor vals = Tensor.allocate(x.dtype(), Shape.of(out)), idx = Tensor.allocate(DType.I64, Shape.of(out));
        long outer = Args.product(out, 0, axis), inner = Args.product(out, axis + 1, r);
        Integer[] order = new Integer[(int) n];
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                long base = o * n * inner + in;
                for (int i = 0; i < n; i++) order[i] = i;
                // Arrays.sort on objects is stable, so ties keep ascending index order.
                Arrays.sort(order, (a, b) -> {
                    int c = compare(x, base + a * inner, base + b * inner);
                    return largest ? -c : c;
                });
                for (int j = 0; j < k; j++) {
                    long dst = (o * k + j) * inner + in;
                    Args.copyElem(x, base + order[j] * inner, vals, dst);
                    idx.setLong(dst, order[j]);
                }
            }
        }
        return new Object[]{vals, idx};
    }

    // ------------------------------------------------------------------ Unique

    private static Object[] unique(KernelContext ctx) {
        Tensor x = View.dense(ctx.input(0));
        boolean hasAxis = ctx.hasAttr("axis");
        int axis = hasAxis ? Args.axis(ctx, ctx.attrInt("axis"), x.rank()) : 0;
        Tensor flat = hasAxis ? x : x.reshape(x.numel());
        // Rows: slices along the axis, laid out contiguously by moving the axis to the front.
        int r = flat.rank();
        int[] perm = new int[r];
        perm[0] = axis;
        for (int i = 1, j = 0; i < r; i++, j++) { if (j == axis) j++; perm[i] = j; }
        Tensor rows = View.of(flat).permute(perm).materialize();
        int n = (int) flat.shape().dim(axis);
        long len = n == 0 ? 0 : rows.numel() / n;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> compareRows(rows, a, b, len));   // stable: first occurrence leads each group
        int[] group = new int[n];
        List<Integer> firsts = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i == 0 || compareRows(rows, order[i - 1], order[i], len) != 0) { firsts.add(order[i]); counts.add(0L); }
            group[order[i]] = firsts.size() - 1;
            counts.set(firsts.size() - 1, counts.get(firsts.size() - 1) + 1);
        }
        int u = firsts.size();
        // Output position of each group: sorted order, or order of first occurrence.
        Integer[] pos = new Integer[u];
        for (int g = 0; g < u; g++) pos[g] = g;
        if (ctx.attrInt("sorted") == 0) Arrays.sort(pos, (a, b) -> Integer.compare(firsts.get(a), firsts.get(b)));
        int[] rank = new int[u];
        for (int p = 0; p < u; p++) rank[pos[p]] = p;
        long[] outDims = flat.shape().dims();
        outDims[axis] = u;
        Tensor y = Tensor.allocate(x.dtype(), Shape.of(outDims));
        long outer = Args.product(outDims, 0, axis), inner = Args.product(outDims, axis + 1, r);
        long[] first = new long[u], cnt = new long[u], inv = new long[n];
        for (int p = 0; p < u; p++) {
            int g = pos[p];
            first[p] = firsts.get(g);
            cnt[p] = counts.get(g);
            for (long o = 0; o < outer; o++)
                View.copyElems(flat, (o * n + first[p]) * inner, y, (o * u + p) * inner, inner);
        }
        for (int i = 0; i < n; i++) inv[i] = rank[group[i]];
        return new Object[]{y, Tensor.ofLongs(first, u), Tensor.ofLongs(inv, n), Tensor.ofLongs(cnt, u)};
    }

    private static int compareRows(Tensor rows, int a, int b, long len) {
        for (long i = 0; i < len; i++) {
            int c = compare(rows, a * len + i, b * len + i);
            if (c != 0) return c;
        }
        return 0;
    }
}
