package dev.kiln.ops.shape;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Op family: gather/scatter style indexing (Gather, GatherElements, GatherND, Scatter, ScatterElements,
 * ScatterND, TensorScatter, Compress, NonZero) plus Unique and TopK (in {@link SortOps}). Every index is
 * bounds-checked (negative indices count from the end) and a bad one fails naming the node, never reads outside.
 */
public final class IndexingOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("Gather").since(1, 11, 13).attrInt("axis", 0)
                .infer(IndexingOps::gatherInfer).kernel(IndexingOps::gather).register(r);
        OpSchema.builder("GatherElements").since(11, 13).attrInt("axis", 0)
                .infer(ctx -> Args.set(ctx, 0, Args.dtype(ctx, 0), Args.dims(ctx, 1))).kernel(IndexingOps::gatherElements).register(r);
        OpSchema.builder("GatherND").since(11, 12, 13).attrInt("batch_dims", 0)
                .infer(IndexingOps::gatherNDInfer).kernel(IndexingOps::gatherND).register(r);
        OpSchema.builder("Scatter").since(9, 11).attrInt("axis", 0)
                .infer(Infers.SAME_AS_INPUT0).kernel(ScatterOps::scatterElements).register(r);
        OpSchema.builder("ScatterElements").since(11, 13, 16, 18).attrInt("axis", 0).attrString("reduction", "none")
                .infer(Infers.SAME_AS_INPUT0).kernel(ScatterOps::scatterElements).register(r);
        OpSchema.builder("ScatterND").since(11, 13, 16, 18).attrString("reduction", "none")
                .infer(Infers.SAME_AS_INPUT0).kernel(ScatterOps::scatterND).register(r);
        OpSchema.builder("TensorScatter").since(24).attrInt("axis", -2).attrString("mode", "linear")
                .infer(Infers.SAME_AS_INPUT0).kernel(ScatterOps::tensorScatter).register(r);
        OpSchema.builder("Compress").since(9, 11)
                .infer(ctx -> {
                    List<Dim> d = Args.dims(ctx, 0);
                    boolean axis = ctx.node().attribute("axis") != null;
                    Args.set(ctx, 0, Args.dtype(ctx, 0), !axis ? Args.unknownDims(1) : d == null ? null : Args.unknownDims(d.size()));
                }).kernel(IndexingOps::compress).register(r);
        OpSchema.builder("NonZero").since(9, 13)
                .infer(ctx -> { List<Dim> d = Args.dims(ctx, 0);
                    Args.set(ctx, 0, DType.I64, List.of(d == null ? Dim.UNKNOWN : Dim.of(d.size()), Dim.UNKNOWN)); })
                .kernel(IndexingOps::nonZero).register(r);
        SortOps.register(r);
    }

    /** Index value {@code i} checked against a dim of size n; negative counts from the end. */
    static long index(KernelContext ctx, long i, long n) {
        long k = i < 0 ? i + n : i;
        if (k < 0 || k >= n) throw ctx.fail("index " + i + " is out of bounds for a dim of size " + n);
        return k;
    }

    // ------------------------------------------------------------------ Gather

    private static void gatherInfer(InferenceContext ctx) {
        List<Dim> d = Args.dims(ctx, 0), i = Args.dims(ctx, 1);
        if (d == null || i == null) { Args.set(ctx, 0, Args.dtype(ctx, 0), null); return; }
        long a = Args.intAttr(ctx, "axis", 0);
        int axis = (int) (a < 0 ? a + d.size() : a);
        if (axis < 0 || axis >= d.size()) { Args.set(ctx, 0, Args.dtype(ctx, 0), null); return; }
        List<Dim> out = new ArrayList<>(d.subList(0, axis));
        out.addAll(i);
        out.addAll(d.subList(axis + 1, d.size()));
        Args.set(ctx, 0, Args.dtype(ctx, 0), out);
    }

    private static void gatherNDInfer(InferenceContext ctx) {
        List<Dim> d = Args.dims(ctx, 0), i = Args.dims(ctx, 1);
        if (d == null || i == null || i.isEmpty() || !i.get(i.size() - 1).isKnown()) { Args.set(ctx, 0, Args.dtype(ctx, 0), null); return; }
        int b = (int) Args.intAttr(ctx, "batch_dims", 0);
        int m = (int) i.get(i.size() - 1).valueOr(0);
        if (b + m > d.size()) { Args.set(ctx, 0, Args.dtype(ctx, 0), null); return; }
        List<Dim> out = new ArrayList<>(i.subList(0, i.size() - 1));
        out.addAll(d.subList(b + m, d.size()));
        Args.set(ctx, 0, Args.dtype(ctx, 0), out);
    }

    private static Object[] gather(KernelContext ctx) {
        Tensor data = View.dense(ctx.input(0)), idx = ctx.input(1);
        int r = data.rank();
        if (r == 0) throw ctx.fail("data must have rank >= 1");
        int axis = Args.axis(ctx, ctx.attrInt("axis"), r);
        long[] d = data.shape().dims(), id = idx.shape().dims();
        long[] out = new long[r - 1 + id.length];
        System.arraycopy(d, 0, out, 0, axis);
        System.arraycopy(id, 0, out, axis, id.length);
        System.arraycopy(d, axis + 1, out, axis + id.length, r - axis - 1);
        Tensor y = Tensor.allocate(data.dtype(), Args.shape(ctx, out));
        long outer = Args.product(d, 0, axis), inner = Args.product(d, axis + 1, r), n = d[axis];
        long m = idx.numel();
        long[] ix = new long[(int) m];
        for (int j = 0; j < m; j++) ix[j] = index(ctx, idx.getLong(j), n);
        for (long o = 0; o < outer; o++)
            for (int j = 0; j < m; j++)
                View.copyElems(data, (o * n + ix[j]) * inner, y, (o * m + j) * inner, inner);
        return new Object[]{y};
    }

    private static Object[] gatherElements(KernelContext ctx) {
        Tensor data = View.dense(ctx.input(0)), idx = ctx.input(1);
        int r = data.rank();
        if (idx.rank() != r) throw ctx.fail("indices rank " + idx.rank() + " != data rank " + r);
        int axis = Args.axis(ctx, ctx.attrInt("axis"), r);
        long[] ds = data.shape().contiguousStrides(), id = idx.shape().dims();
        for (int k = 0; k < r; k++)
            if (k != axis && id[k] > data.shape().dim(k)) throw ctx.fail("indices dim " + k + " exceeds data's");
        Tensor y = Tensor.allocate(data.dtype(), idx.shape());
        long n = y.numel(), dimA = data.shape().dim(axis);
        long[] pos = new long[r];
        long base = 0;   // data offset of pos with the axis coordinate left out
        for (long e = 0; e < n; e++) {
            long k = index(ctx, idx.getLong(e), dimA);
            Args.copyElem(data, base + k * ds[axis], y, e);
            for (int a = r - 1; a >= 0; a--) {
                pos[a]++;
                if (a != axis) base += ds[a];
                if (pos[a] < id[a]) break;
                if (a != axis) base -= ds[a] * id[a];
                pos[a] = 0;
            }
        }
        return new Object[]{y};
    }

    private static Object[] gatherND(KernelContext ctx) {
        Tensor data = View.dense(ctx.input(0)), idx = ctx.input(1);
        int b = (int) ctx.attrInt("batch_dims");
        int r = data.rank(), q = idx.rank();
        if (q < 1) throw ctx.fail("indices must have rank >= 1");
        long[] d = data.shape().dims(), id = idx.shape().dims();
        long m = id[q - 1];
        if (b < 0 || b >= q || b >= r || m > r - b) throw ctx.fail("invalid batch_dims " + b + " / index depth " + m + " for data rank " + r);
        for (int i = 0; i < b; i++) if (d[i] != id[i]) throw ctx.fail("batch dim " + i + " differs: " + d[i] + " vs " + id[i]);
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < q - 1; i++) out.add(id[i]);
        for (int i = b + (int) m; i < r; i++) out.add(d[i]);
        Tensor y = Tensor.allocate(data.dtype(), Args.shape(ctx, ShapeOps.toArray(out)));
        long batch = Args.product(d, 0, b);
        long perBatch = Args.product(id, b, q - 1);
        long slice = Args.product(d, b + (int) m, r);
        long dataBatch = Args.product(d, b, r);
        long[] ds = data.shape().contiguousStrides();
        long e = 0;
        for (long bi = 0; bi < batch; bi++) {
            for (long t = 0; t < perBatch; t++, e++) {
                long off = bi * dataBatch;
                for (int k = 0; k < m; k++)
                    off += index(ctx, idx.getLong(e * m + k), d[b + k]) * ds[b + k];
                View.copyElems(data, off, y, e * slice, slice);
            }
        }
        return new Object[]{y};
    }

    // ------------------------------------------------------------------ Compress / NonZero

    private static Object[] compress(KernelContext ctx) {
        Tensor x = View.dense(ctx.input(0)), cond = ctx.input(1);
        if (cond.rank() != 1) throw ctx.fail("condition must be 1-D");
        if (!ctx.hasAttr("axis")) x = x.reshape(x.numel());
        int axis = ctx.hasAttr("axis") ? Args.axis(ctx, ctx.attrInt("axis"), x.rank()) : 0;
        long n = x.shape().dim(axis);
        if (cond.numel() > n) throw ctx.fail("condition has " + cond.numel() + " entries for a dim of " + n);
        List<Long> keep = new ArrayList<>();
        for (long i = 0; i < cond.numel(); i++) if (cond.getBoolean(i)) keep.add(i);
        long[] out = x.shape().dims();
        out[axis] = keep.size();
        Tensor y = Tensor.allocate(x.dtype(), Args.shape(ctx, out));
        long outer = Args.product(out, 0, axis), inner = Args.product(out, axis + 1, out.length);
        for (long o = 0; o < outer; o++)
            for (int j = 0; j < keep.size(); j++)
                View.copyElems(x, (o * n + keep.get(j)) * inner, y, (o * keep.size() + j) * inner, inner);
        return new Object[]{y};
    }

    private static Object[] nonZero(KernelContext ctx) {
        Tensor x = View.dense(ctx.input(0));
        int r = x.rank();
        long n = x.numel();
        List<Long> hits = new ArrayList<>();
        boolean fp = x.dtype().isFloatingPoint();
        for (long i = 0; i < n; i++) if (fp ? x.getDouble(i) != 0 : x.getLong(i) != 0) hits.add(i);
        int k = hits.size();
        int rr = Math.max(r, 1);   // a scalar reports as rank 1, as numpy's nonzero does for 0-d in ONNX's reference
        Tensor y = Tensor.allocate(DType.I64, Args.shape(ctx, new long[]{r, k}));
        long[] strides = x.shape().contiguousStrides();
        for (int j = 0; j < k; j++) {
            long f = hits.get(j);
            for (int a = 0; a < r; a++) {
                y.setLong((long) a * k + j, f / strides[a]);
                f %= strides[a];
            }
        }
        if (rr != r) return new Object[]{Tensor.allocate(DType.I64, Args.shape(ctx, new long[]{1, k}))};
        return new Object[]{y};
    }
}
