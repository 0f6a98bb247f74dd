package dev.kiln.ops.nn;

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

/** Op family: MatMul, Gemm, Einsum, Det. */
public final class MatMulOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("MatMul").since(1, 9, 13)
                .infer(MatMulOps::inferMatMul)
                .kernel(ctx -> new Object[]{matmul(ctx, ctx.input(0), ctx.input(1))})
                .register(r);
        OpSchema.builder("Gemm").since(1, 6, 7, 9, 11, 13)
                .attrFloat("alpha", 1f).attrFloat("beta", 1f).attrInt("transA", 0).attrInt("transB", 0)
                .attrInt("broadcast", 0)
                .infer(MatMulOps::inferGemm)
                .kernel(ctx -> new Object[]{gemm(ctx)})
                .register(r);
        OpSchema.builder("Einsum").since(12)
                .required("equation", dev.kiln.graph.Attribute.Kind.STRING)
                .infer(Einsum::infer)
                .kernel(ctx -> new Object[]{Einsum.run(ctx)})
                .register(r);
        OpSchema.builder("Det").since(11, 22)
                .infer(ctx -> {
                    if (ctx.inputType(0) instanceof TensorType t && t.hasRank() && t.rank() >= 2)
                        ctx.setOutputType(0, new TensorType(t.dtype(), t.dims().subList(0, t.rank() - 2)));
                    else ctx.setOutputType(0, TensorType.unranked(Infers.dtypeOf(ctx.inputType(0))));
                })
                .kernel(ctx -> new Object[]{det(ctx)})
                .register(r);
    }

    // ------------------------------------------------------------------ MatMul

    private static void inferMatMul(InferenceContext ctx) {
        DType dt = Infers.dtypeOf(ctx.inputType(0));
        if (!(ctx.inputType(0) instanceof TensorType a) || !a.hasRank() || !(ctx.inputType(1) instanceof TensorType b) || !b.hasRank()) {
            ctx.setOutputType(0, TensorType.unranked(dt));
            return;
        }
        List<Dim> ad = a.dims(), bd = b.dims();
        List<Dim> aBatch = ad.size() >= 2 ? ad.subList(0, ad.size() - 2) : List.of();
        List<Dim> bBatch = bd.size() >= 2 ? bd.subList(0, bd.size() - 2) : List.of();
        List<Dim> out = new ArrayList<>(Infers.broadcastDims(aBatch, bBatch));
        if (ad.size() >= 2) out.add(ad.get(ad.size() - 2));
        if (bd.size() >= 2) out.add(bd.get(bd.size() - 1));
        ctx.setOutputType(0, new TensorType(dt, out));
    }

    /**
     * numpy matmul: a 1-D operand is promoted to a matrix (row for A, column for B) and the promoted axis is
     * dropped from the result; leading batch axes broadcast.
     */
    static Tensor matmul(KernelContext ctx, Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0) throw ctx.fail("MatMul operands must not be scalars, got " + a.shape() + " and " + b.shape());
        if (a.dtype() != b.dtype()) throw ctx.fail("MatMul operand types differ: " + a.dtype() + " vs " + b.dtype());
        long[] ad = a.rank() == 1 ? new long[]{1, a.shape().dim(0)} : a.shape().dims();
        long[] bd = b.rank() == 1 ? new long[]{b.shape().dim(0), 1} : b.shape().dims();
        int ar = ad.length, br = bd.length;
        long m = ad[ar - 2], k = ad[ar - 1], k2 = bd[br - 2], n = bd[br - 1];
        if (k != k2) throw ctx.fail("MatMul inner dimensions differ: A " + a.shape() + ", B " + b.shape());
        Shape aBatch = Shape.of(java.util.Arrays.copyOf(ad, ar - 2));
        Shape bBatch = Shape.of(java.util.Arrays.copyOf(bd, br - 2));
        Shape batch;
        try {
            batch = Shape.broadcast(aBatch, bBatch);
        } catch (IllegalArgumentException e) {
            throw ctx.fail("MatMul batch dimensions do not broadcast: A " + a.shape() + ", B " + b.shape());
        }
        List<Long> outDims = new ArrayList<>();
        for (long d : batch.dims()) outDims.add(d);
        if (a.rank() > 1) outDims.add(m);
        if (b.rank() > 1) outDims.add(n);
        Shape outShape = Shape.of(outDims.stream().mapToLong(Long::longValue).toArray());
        int total = NnTensors.checkedSize(ctx, outShape, "MatMul output");
        long nb = batch.numel();
        long[] aOff = batchOffsets(aBatch, batch, m * k), bOff = batchOffsets(bBatch, batch, k * n);
        int M = (int) m, K = (int) k, N = (int) n;
        if (a.dtype().isFloatingPoint()) {
            double[] av = NnTensors.doubles(a), bv = NnTensors.doubles(b), out = new double[total];
            for (int bi = 0; bi < nb; bi++)
                gemmAccumulate(av, (int) aOff[bi], false, bv, (int) bOff[bi], false, out, bi * M * N, M, N, K, 1.0);
            return NnTensors.fromDoubles(a.dtype(), outShape, out);
        }
        if (!a.dtype().isInteger()) throw ctx.fail("MatMul does not support " + a.dtype());
        long[] av = a.toLongArray(), bv = b.toLongArray(), out = new long[total];
        for (int bi = 0; bi < nb; bi++) {
            int ao = (int) aOff[bi], bo = (int) bOff[bi], oo = bi * M * N;
            for (int i = 0; i < M; i++)
                for (int p = 0; p < K; p++) {
                    long x = av[ao + i * K + p];
                    if (x == 0) continue;
                    int brow = bo + p * N, orow = oo + i * N;
                    for (int j = 0; j < N; j++) out[orow + j] += x * bv[brow + j];
                }
        }
        return NnTensors.fromLongs(a.dtype(), outShape, out);
    }

    /** Start offset (in elements) of each broadcast batch's matrix within a dense operand of batch shape {@code own}. */
    static long[] batchOffsets(Shape own, Shape batch, long matrixSize) {
        int r = batch.rank(), off = r - own.rank();
        long nb = batch.numel();
        long[] out = new long[(int) nb];
        long[] ownStrides = own.contiguousStrides();
        long[] idx = new long[r];
        for (int bi = 0; bi < nb; bi++) {
            long o = 0;
            for (int d = off; d < r; d++) if (own.dim(d - off) != 1) o += idx[d] * ownStrides[d - off];
            out[bi] = o * matrixSize;
            for (int d = r - 1; d >= 0; d--) { if (++idx[d] < batch.dim(d)) break; idx[d] = 0; }
        }
        return out;
    }

    /**
     * out[M,N] += scale * op(A)[M,K] * op(B)[K,N] over dense row-major arrays; op transposes when asked (by making
     * a dense transposed copy, so the kernel below always streams rows).
     */
    static void gemmAccumulate(double[] a, int ao, boolean ta, double[] b, int bo, boolean tb,
                               double[] out, int oo, int m, int n, int k, double scale) {
        if (ta) { a = transpose(a, ao, k, m); ao = 0; }
        if (tb) { b = transpose(b, bo, n, k); bo = 0; }
        // Tiles: a panel of TJ output columns and TI rows stays in L1/L2 while every K step reuses one B row
        // segment for TI rows of A. Same arithmetic as the plain i-p-j loop (each out element sums p in order).
        final int TI = 8, TJ = 256;
        for (int j0 = 0; j0 < n; j0 += TJ) {
            int j1 = Math.min(n, j0 + TJ);
            for (int i0 = 0; i0 < m; i0 += TI) {
                int i1 = Math.min(m, i0 + TI);
                for (int p = 0; p < k; p++) {
                    int brow = bo + p * n;
                    for (int i = i0; i < i1; i++) {
                        // No skipping of zero factors: 0 * Inf and 0 * NaN must still yield NaN, as numpy's do.
                        double x = a[ao + i * k + p] * scale;
                        int orow = oo + i * n;
                        for (int j = j0; j < j1; j++) out[orow + j] += x * b[brow + j];
                    }
                }
            }
        }
    }

    /** Dense transpose of the rows x cols matrix at {@code off}. */
    private static double[] transpose(double[] v, int off, int rows, int cols) {
        double[] t = new double[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = v[off + r * cols + c];
        return t;
    }

    // ------------------------------------------------------------------ Gemm

    private static void inferGemm(InferenceContext ctx) {
        DType dt = Infers.dtypeOf(ctx.inputType(0));
        if (ctx.inputType(0) instanceof TensorType a && a.hasRank() && a.rank() == 2
                && ctx.inputType(1) instanceof TensorType b && b.hasRank() && b.rank() == 2) {
            boolean ta = attrInt(ctx, "transA") != 0, tb = attrInt(ctx, "transB") != 0;
            ctx.setOutputType(0, new TensorType(dt, List.of(a.dims().get(ta ? 1 : 0), b.dims().get(tb ? 0 : 1))));
        } else {
            ctx.setOutputType(0, new TensorType(dt, List.of(Dim.UNKNOWN, Dim.UNKNOWN)));
        }
    }

    private static long attrInt(InferenceContext ctx, String name) {
        var a = ctx.node().attribute(name);
        return a == null ? 0 : a.asInt();
    }

    private static Tensor gemm(KernelContext ctx) {
        Tensor a = ctx.input(0), b = ctx.input(1), c = ctx.optionalInput(2);
        NnTensors.requireRank(ctx, a, 2, "Gemm input A");
        NnTensors.requireRank(ctx, b, 2, "Gemm input B");
        boolean ta = ctx.attrInt("transA") != 0, tb = ctx.attrInt("transB") != 0;
        long m = a.shape().dim(ta ? 1 : 0), k = a.shape().dim(ta ? 0 : 1);
        long kb = b.shape().dim(tb ? 1 : 0), n = b.shape().dim(tb ? 0 : 1);
        if (k != kb) throw ctx.fail("Gemm inner dimensions differ: A " + a.shape() + (ta ? "^T" : "") + ", B " + b.shape() + (tb ? "^T" : ""));
        Shape outShape = Shape.of(m, n);
        int total = NnTensors.checkedSize(ctx, outShape, "Gemm output");
        double alpha = ctx.attrFloat("alpha"), beta = ctx.attrFloat("beta");
        Tensor cb = null;
        if (c != null && beta != 0) {
            if (!c.shape().broadcastableTo(outShape)) throw ctx.fail("Gemm C of shape " + c.shape() + " does not broadcast to " + outShape);
            cb = c.expand(outShape);
        }
        if (a.dtype().isFloatingPoint()) {
            double[] out = new double[total];
            gemmAccumulate(NnTensors.doubles(a), 0, ta, NnTensors.doubles(b), 0, tb, out, 0, (int) m, (int) n, (int) k, alpha);
            if (cb != null) for (int i = 0; i < total; i++) out[i] += beta * cb.getDouble(i);
            return NnTensors.fromDoubles(a.dtype(), outShape, out);
        }
        // Integer Gemm: alpha/beta are floats in the schema; integral values keep exact integer arithmetic.
        long[] av = a.toLongArray(), bv = b.toLongArray(), out = new long[total];
        int M = (int) m, N = (int) n, K = (int) k;
        for (int i = 0; i < M; i++)
            for (int p = 0; p < K; p++) {
                long x = ta ? av[p * M + i] : av[i * K + p];
                for (int j = 0; j < N; j++) out[i * N + j] += x * (tb ? bv[j * K + p] : bv[p * N + j]);
            }
        for (int i = 0; i < total; i++) {
            long v = (long) (alpha * out[i]);
            if (cb != null) v += (long) (beta * cb.getLong(i));
            out[i] = v;
        }
        return NnTensors.fromLongs(a.dtype(), outShape, out);
    }

    // ------------------------------------------------------------------ Det

    private static Tensor det(KernelContext ctx) {
        Tensor x = ctx.input(0);
        NnTensors.requireMinRank(ctx, x, 2, "Det input");
        NnTensors.requireFloat(ctx, x, "Det input");
        long[] d = x.shape().dims();
        int r = d.length;
        if (d[r - 1] != d[r - 2]) throw ctx.fail("Det needs square matrices, got shape " + x.shape());
        int n = (int) d[r - 1];
        Shape outShape = Shape.of(java.util.Arrays.copyOf(d, r - 2));
        double[] v = NnTensors.doubles(x);
        double[] out = new double[(int) outShape.numel()];
        double[] mtx = new double[n * n];
        for (int bi = 0; bi < out.length; bi++) {
            System.arraycopy(v, bi * n * n, mtx, 0, n * n);
            out[bi] = luDeterminant(mtx, n);
        }
        return NnTensors.fromDoubles(x.dtype(), outShape, out);
    }

    /** Determinant by Gaussian elimination with partial pivoting; destroys {@code a}. */
    static double luDeterminant(double[] a, int n) {
        double det = 1;
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[piv * n + c])) piv = r;
            if (a[piv * n + c] == 0) return 0;
            if (piv != c) {
                for (int j = 0; j < n; j++) { double t = a[c * n + j]; a[c * n + j] = a[piv * n + j]; a[piv * n + j] = t; }
                det = -det;
            }
            double p = a[c * n + c];
            det *= p;
            for (int r = c + 1; r < n; r++) {
                double f = a[r * n + c] / p;
                if (f == 0) continue;
                for (int j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
            }
        }
        return det;
    }
}
