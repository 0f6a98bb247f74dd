package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

/** ONNX MatMul (broadcast batches, 1-D operands, strided views) and Gemm (transposes, C shapes) vs naive loops. */
class MatMulKernelsTest {
    private static final KilnPool POOL = new KilnPool(2);

    @Property(tries = 120)
    void matmulBroadcastsBatches(@ForAll @IntRange(min = 0, max = 2) int batchRankA, @ForAll @IntRange(min = 0, max = 2) int batchRankB,
                                 @ForAll @IntRange(min = 0, max = 20) int m, @ForAll @IntRange(min = 0, max = 37) int n,
                                 @ForAll @IntRange(min = 0, max = 29) int k, @ForAll boolean vecA, @ForAll boolean vecB,
                                 @ForAll boolean viewA, @ForAll boolean viewB, @ForAll boolean prepack, @ForAll long seed) {
        Random r = new Random(seed);
        long[] batch = {1 + r.nextInt(3), 1 + r.nextInt(3)};
        long[] ba = new long[batchRankA], bb = new long[batchRankB];
        for (int i = 0; i < batchRankA; i++) ba[i] = r.nextBoolean() ? 1 : batch[2 - batchRankA + i];
        for (int i = 0; i < batchRankB; i++) bb[i] = r.nextBoolean() ? 1 : batch[2 - batchRankB + i];
        boolean av = vecA && batchRankA == 0, bv = vecB && batchRankB == 0;
        Tensor a = av ? TensorGen.random(r, k) : TensorGen.randomView(r, viewA, concat(ba, m, k));
        Tensor b = bv ? TensorGen.random(r, k) : TensorGen.randomView(r, viewB, concat(bb, k, n));
        PackedB pb = prepack && !bv && batchRankB == 0 && !VectorConfig.SCALAR ? Sgemm.packB(k, n, b.segment(), b.offset(), b.strides()[0], b.strides()[1]) : null;
        Tensor got = MatMulKernels.matmul(a, b, pb, Epilogue.NONE, POOL);
        // reference: promote, broadcast, loop
        Tensor a2 = av ? a.unsqueeze(0) : a, b2 = bv ? b.unsqueeze(1) : b;
        Shape bs = Shape.broadcast(Shape.of(java.util.Arrays.copyOf(a2.shape().dims(), a2.rank() - 2)),
                Shape.of(java.util.Arrays.copyOf(b2.shape().dims(), b2.rank() - 2)));
        long mm = a2.shape().dim(a2.rank() - 2), nn = b2.shape().dim(b2.rank() - 1);
        Tensor ea = a2.expand(Shape.of(concat(bs.dims(), mm, k))), eb = b2.expand(Shape.of(concat(bs.dims(), k, nn)));
        Tensor want = Tensor.allocate(DType.F32, Shape.of(concat(bs.dims(), mm, nn)));
        for (long t = 0; t < bs.numel(); t++)
            for (long i = 0; i < mm; i++)
                for (long j = 0; j < nn; j++) {
                    double s = 0;
                    for (long q = 0; q < k; q++) s += ea.getDouble((t * mm + i) * k + q) * eb.getDouble((t * k + q) * nn + j);
                    want.setDouble((t * mm + i) * nn + j, s);
                }
        if (bv) want = want.squeeze(want.rank() - 1);
        if (av) want = want.squeeze(want.rank() - (bv ? 1 : 2));
        TensorGen.assertClose(want, got, 1e-5, 1e-5 * (k + 1));
    }

    @Property(tries = 100)
    void gemmWithTransposesAndC(@ForAll @IntRange(min = 0, max = 25) int m, @ForAll @IntRange(min = 0, max = 40) int n,
                                @ForAll @IntRange(min = 0, max = 30) int k, @ForAll boolean ta, @ForAll boolean tb,
                                @ForAll @IntRange(min = 0, max = 4) int cKind, @ForAll long seed) {
        Random r = new Random(seed);
        Tensor a = ta ? TensorGen.random(r, k, m) : TensorGen.random(r, m, k);
        Tensor b = tb ? TensorGen.random(r, n, k) : TensorGen.random(r, k, n);
        Tensor c = switch (cKind) {
            case 0 -> null;
            case 1 -> TensorGen.random(r, n);
            case 2 -> TensorGen.random(r, 1, n);
            case 3 -> TensorGen.random(r, m, 1);
            default -> TensorGen.random(r, m, n);
        };
        float alpha = 0.5f + r.nextInt(3), beta = r.nextBoolean() ? 1f : -0.75f;
        Tensor got = MatMulKernels.gemm(a, b, c, alpha, beta, ta, tb, null, POOL);
        Tensor want = Tensor.allocate(DType.F32, Shape.of(m, n));
        Tensor ce = c == null ? null : c.expand(Shape.of(m, n));
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int q = 0; q < k; q++)
                    s += a.getDouble(ta ? (long) q * m + i : (long) i * k + q) * b.getDouble(tb ? (long) j * k + q : (long) q * n + j);
                want.setDouble((long) i * n + j, alpha * s + (ce == null ? 0 : beta * ce.getDouble((long) i * n + j)));
            }
        TensorGen.assertClose(want, got, 1e-5, 1e-5 * (k + 1) * alpha);
    }

    static long[] concat(long[] batch, long x, long y) {
        long[] d = java.util.Arrays.copyOf(batch, batch.length + 2);
        d[batch.length] = x;
        d[batch.length + 1] = y;
        return d;
    }
}
