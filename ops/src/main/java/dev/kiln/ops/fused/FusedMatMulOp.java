package dev.kiln.ops.fused;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code dev.kiln.FusedMatMul(A, B, bias?)}: {@code Y = act(alpha * A' x B' + bias)} with numpy MatMul semantics
 * (broadcast batch dims, 1-D operands promoted), A' / B' the last two axes swapped when transA / transB, bias
 * broadcast to Y's shape, and {@code activation} one of {@link FusedActivation}. It replaces MatMul + Add (+ act)
 * and Gemm (+ act); a backend runs the bias and activation in its GEMM epilogue.
 */
final class FusedMatMulOp {
    private FusedMatMulOp() {}

    static void register(OpRegistry r) {
        OpSchema.builder(FusedOps.DOMAIN, "FusedMatMul").since(1)
                .attrInt("transA", 0).attrInt("transB", 0).attrFloat("alpha", 1f).attrString("activation", "")
                .infer(FusedMatMulOp::infer)
                .kernel(ctx -> new Object[]{run(ctx)})
                .register(r);
    }

    private static Tensor run(KernelContext ctx) {
        Tensor a = FusedTensors.floatInput(ctx, 0), b = FusedTensors.floatInput(ctx, 1);
        FusedActivation act;
        try {
            act = FusedActivation.parse(ctx.attrString("activation"));
        } catch (IllegalArgumentException e) {
            throw ctx.fail(e.getMessage());
        }
        if (ctx.attrInt("transA") != 0) a = swapLast(ctx, a, "A");
        if (ctx.attrInt("transB") != 0) b = swapLast(ctx, b, "B");
        boolean aVec = a.rank() == 1, bVec = b.rank() == 1;
        if (a.rank() == 0 || b.rank() == 0) throw ctx.fail("FusedMatMul of a scalar");
        Tensor a2 = aVec ? a.unsqueeze(0) : a, b2 = bVec ? b.unsqueeze(1) : b;
        int ra = a2.rank(), rb = b2.rank();
        long m = a2.shape().dim(ra - 2), k = a2.shape().dim(ra - 1), n = b2.shape().dim(rb - 1);
        if (b2.shape().dim(rb - 2) != k) throw ctx.fail("inner dims differ: " + a.shape() + " x " + b.shape());
        Shape batch = FusedTensors.broadcast(ctx, Shape.of(Arrays.copyOf(a2.shape().dims(), ra - 2)),
                Shape.of(Arrays.copyOf(b2.shape().dims(), rb - 2)));
        Shape full = with(batch, m, n);
        // the result shape as MatMul reports it (promoted axes removed)
        long[] od = full.dims();
        List<Long> outDims = new ArrayList<>();
        for (int i = 0; i < od.length; i++) {
            if (aVec && i == od.length - 2) continue;
            if (bVec && i == od.length - 1) continue;
            outDims.add(od[i]);
        }
        Shape out = Shape.of(outDims.stream().mapToLong(Long::longValue).toArray());
        Tensor bias = ctx.hasInput(2) ? FusedTensors.broadcastTo(ctx, FusedTensors.floatInput(ctx, 2), out, "bias").reshape(full) : null;
        double alpha = ctx.attrFloat("alpha");
        long count = batch.numel();
        if (full.numel() > Integer.MAX_VALUE - 16) throw ctx.fail("result of " + full.numel() + " elements is too large");
        // row-major copies of the operands as given (a broadcast batch is addressed by offset, not copied), then
        // tiled i-p-j loops with double accumulators
        double[] av = FusedTensors.values(a2), bv = FusedTensors.values(b2);
        long[] aOffs = batchOffsets(a2, ra, batch, m * k), bOffs = batchOffsets(b2, rb, batch, k * n);
        // a per-column bias vector (the usual case) is read as is; any other broadcast is materialized
        Tensor rawBias = ctx.hasInput(2) ? ctx.input(2) : null;
        boolean columnBias = rawBias != null && rawBias.numel() == n && rawBias.rank() > 0 && rawBias.shape().dim(rawBias.rank() - 1) == n;
        double[] biasV = bias == null ? null : FusedTensors.values(columnBias ? rawBias : bias);
        double[] yv = new double[(int) full.numel()];
        int mi = (int) m, ki = (int) k, ni = (int) n;
        for (long bi = 0; bi < count; bi++) {
            int ao = (int) aOffs[(int) bi], bo = (int) bOffs[(int) bi], yo = (int) (bi * m * n);
            accumulate(av, ao, bv, bo, yv, yo, mi, ni, ki);
        }
        for (int at = 0; at < yv.length; at++) {
            double v = alpha * yv[at];
            if (biasV != null) v += biasV[columnBias ? at % ni : at];
            yv[at] = act.apply(v, 0, 0);
        }
        Tensor y = FusedTensors.tensor(a.dtype(), full, yv);
        return y.reshape(out);
    }

    /**
     * y[m x n] += a[m x k] * b[k x n] over dense row-major arrays. Column bands x row blocks keep a slice of B in
     * cache while every row of the block uses it; each output still sums over p in order. A small method of its
     * own so the JIT compiles the loop nest on its own terms.
     */
    private static void accumulate(double[] a, int ao, double[] b, int bo, double[] y, int yo, int m, int n, int k) {
        for (int j0 = 0; j0 < n; j0 += 256) {
            int j1 = Math.min(n, j0 + 256);
            for (int i0 = 0; i0 < m; i0 += 8) {
                int i1 = Math.min(m, i0 + 8);
                for (int p = 0; p < k; p++) {
                    int brow = bo + p * n;
                    for (int i = i0; i < i1; i++) {
                        double x = a[ao + i * k + p];
                        int yrow = yo + i * n;
                        for (int j = j0; j < j1; j++) y[yrow + j] += x * b[brow + j];
                    }
                }
            }
        }
    }

    /** Where each of the broadcast batch's matrices starts in {@code t}'s dense copy (size-1 batch dims repeat). */
    private static long[] batchOffsets(Tensor t, int rank, Shape batch, long matrix) {
        int br = batch.rank(), own = rank - 2, off = br - own;
        long[] out = new long[(int) batch.numel()];
        long[] idx = new long[br];
        for (int bi = 0; bi < out.length; bi++) {
            long o = 0, stride = 1;
            for (int d = own - 1; d >= 0; d--) {
                long size = t.shape().dim(d);
                if (size != 1) o += idx[d + off] * stride;
                stride *= size;
            }
            out[bi] = o * matrix;
            for (int d = br - 1; d >= 0; d--) { if (++idx[d] < batch.dim(d)) break; idx[d] = 0; }
        }
        return out;
    }

    private static Tensor swapLast(KernelContext ctx, Tensor t, String what) {
        if (t.rank() < 2) throw ctx.fail("trans" + what + " needs a rank >= 2 operand, got " + t.shape());
        int[] perm = new int[t.rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        perm[perm.length - 1] = perm.length - 2;
        perm[perm.length - 2] = perm.length - 1;
        return t.permute(perm);
    }

    private static Shape with(Shape batch, long x, long y) {
        long[] d = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        d[batch.rank()] = x;
        d[batch.rank() + 1] = y;
        return Shape.of(d);
    }

    /** Rank-2+ operands: broadcast batch dims, then M x N. Anything else keeps the type the pass recorded. */
    private static void infer(InferenceContext ctx) {
        if (!(ctx.inputType(0) instanceof TensorType ta) || !(ctx.inputType(1) instanceof TensorType tb)
                || !ta.hasRank() || !tb.hasRank() || ta.rank() < 2 || tb.rank() < 2) return;
        boolean trA = attr(ctx, "transA"), trB = attr(ctx, "transB");
        List<Dim> da = ta.dims(), db = tb.dims();
        List<Dim> batch = Infers.broadcastDims(da.subList(0, da.size() - 2), db.subList(0, db.size() - 2));
        List<Dim> out = new ArrayList<>(batch);
        out.add(da.get(da.size() - (trA ? 1 : 2)));
        out.add(db.get(db.size() - (trB ? 2 : 1)));
        ctx.setOutputType(0, new TensorType(ta.dtype(), out));
    }

    private static boolean attr(InferenceContext ctx, String name) {
        var a = ctx.node().attribute(name);
        return a != null && a.asInt() != 0;
    }
}
