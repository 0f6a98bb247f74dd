package dev.kiln.ops.shape;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

/**
 * Scatter kernels: the output starts as a copy of the data and updates are applied in index order, so duplicate
 * indices with reduction "none" keep the last update (the spec leaves that order undefined; this is the ONNX
 * reference's choice).
 */
final class ScatterOps {
    private ScatterOps() {}

    /** How one update combines with the current element. */
    private enum Reduction { NONE, ADD, MUL, MAX, MIN }

    private static Reduction reduction(KernelContext ctx) {
        if (ctx.node().opType().equals("Scatter") || ctx.opsetVersion() < 16) return Reduction.NONE;
        String s = ctx.attrString("reduction");
        return switch (s) {
            case "none" -> Reduction.NONE;
            case "add" -> Reduction.ADD;
            case "mul" -> Reduction.MUL;
            case "max", "min" -> {
                if (ctx.opsetVersion() < 18) throw ctx.fail("reduction '" + s + "' needs opset 18");
                yield s.equals("max") ? Reduction.MAX : Reduction.MIN;
            }
            default -> throw ctx.fail("unknown reduction '" + s + "'");
        };
    }

    /** Applies update element {@code ui} of {@code upd} to element {@code yi} of {@code y}. */
    private static void apply(Reduction red, Tensor y, long yi, Tensor upd, long ui) {
        if (red == Reduction.NONE || y.dtype() == DType.STRING) { Args.copyElem(upd, ui, y, yi); return; }
        if (y.dtype().isFloatingPoint()) {
            double a = y.getDouble(yi), b = upd.getDouble(ui);
            y.setDouble(yi, switch (red) {
                case ADD -> a + b;
                case MUL -> a * b;
                case MAX -> Math.max(a, b);
                case MIN -> Math.min(a, b);
                default -> b;
            });
        } else if (y.dtype() == DType.BOOL) {
            boolean a = y.getBoolean(yi), b = upd.getBoolean(ui);
            y.setBoolean(yi, switch (red) { case ADD, MAX -> a || b; case MUL, MIN -> a && b; default -> b; });
        } else {
            long a = y.getLong(yi), b = upd.getLong(ui);
            boolean unsigned = y.dtype().kind() == DType.Kind.UNSIGNED;
            y.setLong(yi, switch (red) {
                case ADD -> a + b;
                case MUL -> a * b;
                case MAX -> (unsigned ? Long.compareUnsigned(a, b) : Long.compare(a, b)) >= 0 ? a : b;
                case MIN -> (unsigned ? Long.compareUnsigned(a, b) : Long.compare(a, b)) <= 0 ? a : b;
                default -> b;
            });
        }
    }

    static Object[] scatterElements(KernelContext ctx) {
        Tensor data = ctx.input(0), idx = ctx.input(1), upd = View.dense(ctx.input(2));
        int r = data.rank();
        if (idx.rank() != r || !idx.shape().equals(upd.shape()))
            throw ctx.fail("indices " + idx.shape() + " and updates " + upd.shape() + " must have the same shape and data's rank " + r);
        int axis = Args.axis(ctx, ctx.attrInt("axis"), r);
        Reduction red = reduction(ctx);
        Tensor y = data.copy();
        long[] ys = y.shape().contiguousStrides(), id = idx.shape().dims();
        for (int k = 0; k < r; k++)
            if (k != axis && id[k] > data.shape().dim(k)) throw ctx.fail("indices dim " + k + " exceeds data's");
        long n = idx.numel(), dimA = data.shape().dim(axis);
        long[] pos = new long[r];
        long base = 0;
        for (long e = 0; e < n; e++) {
            long k = IndexingOps.index(ctx, idx.getLong(e), dimA);
            apply(red, y, base + k * ys[axis], upd, e);
            for (int a = r - 1; a >= 0; a--) {
                pos[a]++;
                if (a != axis) base += ys[a];
                if (pos[a] < id[a]) break;
                if (a != axis) base -= ys[a] * id[a];
                pos[a] = 0;
            }
        }
        return new Object[]{y};
    }

    static Object[] scatterND(KernelContext ctx) {
        Tensor data = ctx.input(0), idx = ctx.input(1), upd = View.dense(ctx.input(2));
        int r = data.rank(), q = idx.rank();
        if (q < 1) throw ctx.fail("indices must have rank >= 1");
        long[] d = data.shape().dims(), id = idx.shape().dims();
        long m = id[q - 1];
        if (m > r) throw ctx.fail("index depth " + m + " exceeds data rank " + r);
        // updates.shape must be indices.shape[:-1] + data.shape[m:]
        long[] want = new long[q - 1 + r - (int) m];
        System.arraycopy(id, 0, want, 0, q - 1);
        System.arraycopy(d, (int) m, want, q - 1, r - (int) m);
        if (!java.util.Arrays.equals(want, upd.shape().dims()))
            throw ctx.fail("updates shape " + upd.shape() + " must be " + java.util.Arrays.toString(want));
        Reduction red = reduction(ctx);
        Tensor y = data.copy();
        long[] ys = y.shape().contiguousStrides();
        long count = Args.product(id, 0, q - 1), slice = Args.product(d, (int) m, r);
        for (long t = 0; t < count; t++) {
            long off = 0;
            for (int k = 0; k < m; k++) off += IndexingOps.index(ctx, idx.getLong(t * m + k), d[k]) * ys[k];
            if (red == Reduction.NONE) View.copyElems(upd, t * slice, y, off, slice);
            else for (long s = 0; s < slice; s++) apply(red, y, off + s, upd, t * slice + s);
        }
        return new Object[]{y};
    }

    static Object[] tensorScatter(KernelContext ctx) {
        Tensor past = ctx.input(0), upd = View.dense(ctx.input(1));
        Tensor wi = ctx.optionalInput(2);
        int r = past.rank();
        if (upd.rank() != r) throw ctx.fail("update rank " + upd.rank() + " != cache rank " + r);
        int axis = Args.axis(ctx, ctx.attrInt("axis"), r);
        if (axis == 0) throw ctx.fail("axis must not be the batch axis 0");
        boolean circular = switch (ctx.attrString("mode")) {
            case "linear" -> false;
            case "circular" -> true;
            default -> throw ctx.fail("unknown mode '" + ctx.attrString("mode") + "'");
        };
        for (int k = 0; k < r; k++)
            if (k != axis && upd.shape().dim(k) != past.shape().dim(k)) throw ctx.fail("update " + upd.shape() + " does not match cache " + past.shape() + " off the sequence axis");
        long maxSeq = past.shape().dim(axis), seq = upd.shape().dim(axis);
        if (seq > maxSeq) throw ctx.fail("update sequence length " + seq + " exceeds cache length " + maxSeq);
        long batch = past.shape().dim(0);
        if (wi != null && wi.numel() != batch) throw ctx.fail("write_indices has " + wi.numel() + " entries for batch " + batch);
        Tensor y = past.copy();
        long[] d = past.shape().dims();
        long prefix = Args.product(d, 0, axis), inner = Args.product(d, axis + 1, r);
        long perBatch = prefix / Math.max(batch, 1);
        for (long p = 0; p < prefix; p++) {
            long b = perBatch == 0 ? 0 : p / perBatch;
            long w = wi == null ? 0 : wi.getLong(b);
            for (long s = 0; s < seq; s++) {
                long c = w + s;
                if (circular) c = Math.floorMod(c, maxSeq);
                if (c < 0 || c >= maxSeq) throw ctx.fail("write index " + c + " outside the cache length " + maxSeq);
                View.copyElems(upd, (p * seq + s) * inner, y, (p * maxSeq + c) * inner, inner);
            }
        }
        return new Object[]{y};
    }
}
