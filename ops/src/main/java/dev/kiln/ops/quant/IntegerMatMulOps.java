package dev.kiln.ops.quant;

import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * Op family: MatMulInteger and QLinearMatMul. Both compute (A - a_zp) @ (B - b_zp) exactly in integers with numpy
 * matmul broadcasting over batch dims; zero points (and QLinearMatMul's scales) are per tensor, per row of A
 * (length M) or per column of B (length N).
 */
public final class IntegerMatMulOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("MatMulInteger").since(10)
                .infer(ctx -> ctx.setOutputType(0, matmulType(ctx, 0, 1, DType.I32)))
                .kernel(ctx -> {
                    Tensor a = intIn(ctx, 0), b = intIn(ctx, 1);
                    Product p = Product.of(ctx, a, b, ctx.optionalInput(2), ctx.optionalInput(3));
                    Tensor out = Tensor.allocate(DType.I32, p.outShape);
                    for (long i = 0; i < p.acc.length; i++) out.setLong(i, p.acc[(int) i]);
                    return new Object[] {out};
                }).register(r);
        OpSchema.builder("QLinearMatMul").since(10, 21)
                .infer(ctx -> ctx.setOutputType(0, matmulType(ctx, 0, 3, Infers.dtypeOf(ctx.inputType(7)))))
                .kernel(IntegerMatMulOps::qlinear).register(r);
    }

    /** numpy matmul output dims from the operands' static dims (unranked when either rank is unknown). */
    static TensorType matmulType(dev.kiln.graph.InferenceContext ctx, int ia, int ib, DType dtype) {
        if (!(ctx.inputType(ia) instanceof TensorType a) || !a.hasRank() || !(ctx.inputType(ib) instanceof TensorType b) || !b.hasRank()
                || a.rank() == 0 || b.rank() == 0)
            return TensorType.unranked(dtype);
        java.util.List<dev.kiln.graph.Dim> ad = a.dims(), bd = b.dims();
        java.util.List<dev.kiln.graph.Dim> out = new java.util.ArrayList<>(Infers.broadcastDims(
                ad.size() > 2 ? ad.subList(0, ad.size() - 2) : java.util.List.of(),
                bd.size() > 2 ? bd.subList(0, bd.size() - 2) : java.util.List.of()));
        if (ad.size() >= 2) out.add(ad.get(ad.size() - 2));
        if (bd.size() >= 2) out.add(bd.get(bd.size() - 1));
        return new TensorType(dtype, out);
    }

    private static Tensor intIn(KernelContext ctx, int i) {
        Tensor t = ctx.input(i);
        if (!t.dtype().isInteger()) throw ctx.fail("input " + i + " must be an integer tensor, got " + t.dtype());
        return t;
    }

    /** The integer product with its geometry: output shape, M, N, and the accumulators in output order. */
    record Product(Shape outShape, long m, long n, long[] acc) {
        static Product of(KernelContext ctx, Tensor a, Tensor b, Tensor azp, Tensor bzp) {
            boolean aVec = a.rank() == 1, bVec = b.rank() == 1;
            Tensor a2 = aVec ? a.unsqueeze(0) : a, b2 = bVec ? b.unsqueeze(1) : b;
            if (a2.rank() < 2 || b2.rank() < 2) throw ctx.fail("matmul inputs must have rank >= 1");
            long m = a2.shape().dim(a2.rank() - 2), k = a2.shape().dim(a2.rank() - 1);
            long k2 = b2.shape().dim(b2.rank() - 2), n = b2.shape().dim(b2.rank() - 1);
            if (k != k2) throw ctx.fail("inner dimensions differ: A " + a.shape() + ", B " + b.shape());
            Shape batchA = Shape.of(java.util.Arrays.copyOf(a2.shape().dims(), a2.rank() - 2));
            Shape batchB = Shape.of(java.util.Arrays.copyOf(b2.shape().dims(), b2.rank() - 2));
            Shape batch = Shape.broadcast(batchA, batchB);
            long[] ad = concat(batch.dims(), m, k), bd = concat(batch.dims(), k, n);
            Tensor ae = a2.expand(Shape.of(ad)).contiguous(), be = b2.expand(Shape.of(bd)).contiguous();
            long[] azpv = zeroPoints(ctx, azp, m, "a_zero_point");
            long[] bzpv = zeroPoints(ctx, bzp, n, "b_zero_point");
            long batches = batch.numel();
            long[] acc = new long[Math.toIntExact(batches * m * n)];
            long[] arow = new long[(int) k];
            for (long bi = 0; bi < batches; bi++) {
                long aBase = ae.offset() + bi * m * k, bBase = be.offset() + bi * k * n;
                for (long i = 0; i < m; i++) {
                    long za = azpv[azpv.length == 1 ? 0 : (int) i];
                    for (int kk = 0; kk < k; kk++) arow[kk] = ae.readLong(aBase + i * k + kk) - za;
                    for (long j = 0; j < n; j++) {
                        long zb = bzpv[bzpv.length == 1 ? 0 : (int) j], s = 0;
                        for (int kk = 0; kk < k; kk++) s += arow[kk] * (be.readLong(bBase + kk * n + j) - zb);
                        acc[(int) ((bi * m + i) * n + j)] = s;
                    }
                }
            }
            long[] out = batch.dims();
            if (!aVec) out = concat(out, m);
            if (!bVec) out = concat(out, n);
            return new Product(Shape.of(out), m, n, acc);
        }
    }

    private static long[] zeroPoints(KernelContext ctx, Tensor zp, long len, String what) {
        if (zp == null) return new long[] {0};
        if (zp.numel() == 1) return new long[] {zp.getLong(0)};
        if (zp.rank() != 1 || zp.shape().dim(0) != len) throw ctx.fail(what + " must be a scalar or have length " + len + ", got " + zp.shape());
        return zp.toLongArray();
    }

    private static double[] scales(KernelContext ctx, Tensor s, long len, String what) {
        if (s.numel() == 1) return new double[] {s.getDouble(0)};
        if (s.rank() != 1 || s.shape().dim(0) != len) throw ctx.fail(what + " must be a scalar or have length " + len + ", got " + s.shape());
        return s.toDoubleArray();
    }

    static long[] concat(long[] a, long... b) {
        long[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** y = saturate(round(acc * a_scale * b_scale / y_scale) + y_zp), computed in the scales' float precision. */
    private static Object[] qlinear(KernelContext ctx) {
        Tensor a = intIn(ctx, 0), b = intIn(ctx, 3), yzp = ctx.input(7);
        Product p = Product.of(ctx, a, b, ctx.input(2), ctx.input(5));
        double[] as = scales(ctx, ctx.input(1), p.m, "a_scale"), bs = scales(ctx, ctx.input(4), p.n, "b_scale");
        double ys = ctx.input(6).getDouble(0);
        DType st = ctx.input(1).dtype();
        long z = yzp.getLong(0), lo = QuantOps.rangeMin(yzp.dtype()), hi = QuantOps.rangeMax(yzp.dtype());
        Tensor out = Tensor.allocate(yzp.dtype(), p.outShape);
        long mn = p.m * p.n;
        for (int i = 0; i < p.acc.length; i++) {
            long row = (i % mn) / p.n, col = i % p.n;
            double sa = as[as.length == 1 ? 0 : (int) row], sb = bs[bs.length == 1 ? 0 : (int) col];
            double scale = QuantOps.roundTo(st, QuantOps.roundTo(st, sa * sb) / ys);
            double v = Math.rint(QuantOps.roundTo(st, p.acc[i] * scale)) + z;
            out.setLong(i, (long) Math.max(lo, Math.min(hi, v)));
        }
        return new Object[] {out};
    }
}
