package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.kiln.ops.nn.NnOpRunner.assertClose;
import static dev.kiln.ops.nn.NnOpRunner.random;
import static dev.kiln.ops.nn.NnOpRunner.run1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatMulOpsTest {
    private static final int[] SIZES = {0, 1, 2, 3, 5, 7, 13};

    /** numpy matmul by definition, one output element at a time. */
    static Tensor naiveMatMul(Tensor a, Tensor b) {
        boolean a1 = a.rank() == 1, b1 = b.rank() == 1;
        Tensor a2 = a1 ? a.unsqueeze(0) : a, b2 = b1 ? b.unsqueeze(1) : b;
        long[] ad = a2.shape().dims(), bd = b2.shape().dims();
        Shape batch = Shape.broadcast(Shape.of(java.util.Arrays.copyOf(ad, ad.length - 2)), Shape.of(java.util.Arrays.copyOf(bd, bd.length - 2)));
        long m = ad[ad.length - 2], k = ad[ad.length - 1], n = bd[bd.length - 1];
        long[] full = new long[batch.rank() + 2];
        System.arraycopy(batch.dims(), 0, full, 0, batch.rank());
        full[batch.rank()] = m;
        full[batch.rank() + 1] = n;
        long[] ae = batch.dims(), be = batch.dims();
        Tensor ax = a2.expand(Shape.of(concat(ae, m, k))), bx = b2.expand(Shape.of(concat(be, k, n)));
        Tensor out = Tensor.allocate(a.dtype(), Shape.of(full));
        long[] idx = new long[full.length];
        for (long o = 0; o < out.numel(); o++) {
            Window.unflatten(o, full, idx);
            double s = 0;
            long[] ia = idx.clone(), ib = idx.clone();
            for (long p = 0; p < k; p++) {
                ia[ia.length - 1] = p;
                ib[ib.length - 2] = p;
                ib[ib.length - 1] = idx[idx.length - 1];
                s += ax.getDouble(ia) * bx.getDouble(ib);
            }
            out.setDouble(o, s);
        }
        if (a1) out = out.squeeze(full.length - 2);
        if (b1) out = out.squeeze(out.rank() - 1);
        return out.contiguous();
    }

    private static long[] concat(long[] batch, long x, long y) {
        long[] r = java.util.Arrays.copyOf(batch, batch.length + 2);
        r[batch.length] = x;
        r[batch.length + 1] = y;
        return r;
    }

    @Property(tries = 150)
    void matmulAgreesWithNaiveLoop(@ForAll @IntRange(min = 0, max = 6) int mi, @ForAll @IntRange(min = 0, max = 6) int ki,
                                   @ForAll @IntRange(min = 0, max = 6) int ni, @ForAll @IntRange(min = 0, max = 4) int aRank,
                                   @ForAll @IntRange(min = 0, max = 4) int bRank, @ForAll long seed) {
        Random rnd = new Random(seed);
        long m = SIZES[mi], k = SIZES[ki], n = SIZES[ni];
        // Rank 1 means a vector operand; ranks 3-4 add batch dims that may broadcast (1 against 3) or be empty.
        long[] batchA = batch(rnd, Math.max(0, aRank - 2)), batchB = batch(rnd, Math.max(0, bRank - 2));
        harmonize(rnd, batchA, batchB);
        Tensor a = aRank <= 1 ? random(rnd, k) : random(rnd, concat(batchA, m, k));
        Tensor b = bRank <= 1 ? random(rnd, k) : random(rnd, concat(batchB, k, n));
        Tensor got = run1("MatMul", 13, List.of(), a, b);
        assertClose(naiveMatMul(a, b), got, 1e-5, 1e-5);
    }

    private static long[] batch(Random rnd, int rank) {
        long[] d = new long[rank];
        for (int i = 0; i < rank; i++) d[i] = new long[]{0, 1, 2, 3}[rnd.nextInt(4)];
        return d;
    }

    /** Makes right-aligned batch dims broadcast-compatible: each pair is equal or one of them is 1. */
    private static void harmonize(Random rnd, long[] a, long[] b) {
        for (int i = 1; i <= Math.min(a.length, b.length); i++) {
            long x = a[a.length - i], y = b[b.length - i];
            if (x != y && x != 1 && y != 1) {
                if (rnd.nextBoolean()) a[a.length - i] = 1; else b[b.length - i] = y == 1 ? 1 : x;
            }
        }
    }

    @Test
    void oneDimensionalOperandsDropThePromotedAxis() {
        Tensor v = Tensor.of(new float[]{1, 2, 3}, 3);
        Tensor m = Tensor.of(new float[]{1, 0, 0, 1, 1, 1}, 3, 2);
        assertEquals(Shape.SCALAR, run1("MatMul", 13, List.of(), v, v).shape());
        assertEquals(14f, run1("MatMul", 13, List.of(), v, v).getFloat(0));
        Tensor vm = run1("MatMul", 13, List.of(), v, m);
        assertEquals(Shape.of(2), vm.shape());
        assertArrayEquals(new float[]{4, 5}, vm.toFloatArray());
    }

    @Test
    void integerMatMulWrapsLikeTheDtype() {
        Tensor a = Tensor.ofInts(new int[]{Integer.MAX_VALUE, 1}, 1, 2);
        Tensor b = Tensor.ofInts(new int[]{2, 3}, 2, 1);
        Tensor y = run1("MatMul", 13, List.of(), a, b);
        assertEquals(DType.I32, y.dtype());
        assertEquals((long) (Integer.MAX_VALUE * 2 + 3), y.getLong(0));
    }

    @Test
    void mismatchedInnerDimsIsAClearError() {
        OpFailure e = assertThrows(OpFailure.class, () -> run1("MatMul", 13, List.of(), random(new Random(1), 2, 3), random(new Random(2), 4, 2)));
        assertTrue(e.getMessage().contains("inner dimensions"), e.getMessage());
    }

    @Property(tries = 60)
    void gemmMatchesNaiveWithTransposesAndBroadcastC(@ForAll @IntRange(min = 0, max = 6) int mi, @ForAll @IntRange(min = 0, max = 6) int ki,
                                                     @ForAll @IntRange(min = 0, max = 6) int ni, @ForAll boolean ta, @ForAll boolean tb,
                                                     @ForAll @IntRange(min = 0, max = 3) int cKind, @ForAll long seed) {
        Random rnd = new Random(seed);
        long m = SIZES[mi], k = SIZES[ki], n = SIZES[ni];
        Tensor a = ta ? random(rnd, k, m) : random(rnd, m, k);
        Tensor b = tb ? random(rnd, n, k) : random(rnd, k, n);
        Tensor c = switch (cKind) { case 0 -> null; case 1 -> random(rnd); case 2 -> random(rnd, n); default -> random(rnd, m, n); };
        float alpha = 0.5f, beta = 2f;
        List<Attribute> attrs = List.of(Attribute.of("transA", ta ? 1L : 0L), Attribute.of("transB", tb ? 1L : 0L),
                Attribute.of("alpha", alpha), Attribute.of("beta", beta));
        Tensor got = c == null ? run1("Gemm", 13, attrs, a, b) : run1("Gemm", 13, attrs, a, b, c);
        Tensor at = ta ? a.transpose(0, 1) : a, bt = tb ? b.transpose(0, 1) : b;
        Tensor want = naiveMatMul(at.contiguous(), bt.contiguous());
        Tensor cx = c == null ? null : c.expand(Shape.of(m, n));
        for (long i = 0; i < want.numel(); i++) want.setDouble(i, alpha * want.getDouble(i) + (cx == null ? 0 : beta * cx.getDouble(i)));
        assertClose(want, got, 1e-5, 1e-5);
    }

    @Test
    void einsumCoversDiagonalEllipsisAndImplicitOutput() {
        Tensor sq = Tensor.ofDoubles(new double[]{1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
        assertArrayEquals(new double[]{1, 5, 9}, run1("Einsum", 12, List.of(Attribute.of("equation", "ii->i")), sq).toDoubleArray());
        assertEquals(15.0, run1("Einsum", 12, List.of(Attribute.of("equation", "ii")), sq).getDouble(0));
        // Implicit output: labels once each, alphabetical -> "ji" transposes.
        Tensor t = run1("Einsum", 12, List.of(Attribute.of("equation", "ji")), sq);
        assertArrayEquals(new double[]{1, 4, 7, 2, 5, 8, 3, 6, 9}, t.toDoubleArray());
        Random rnd = new Random(3);
        Tensor a = Tensor.ofDoubles(random(rnd, 2, 3, 4).toDoubleArray(), 2, 3, 4);
        Tensor b = Tensor.ofDoubles(random(rnd, 4, 5).toDoubleArray(), 4, 5);
        Tensor got = run1("Einsum", 12, List.of(Attribute.of("equation", "...ij,jk->...ik")), a, b);
        assertClose(naiveMatMul(a, b), got, 1e-12, 1e-12);
        Tensor bd = run1("Einsum", 12, List.of(Attribute.of("equation", "...ii->...i")), Tensor.ofDoubles(new double[]{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2));
        assertArrayEquals(new double[]{1, 4, 5, 8}, bd.toDoubleArray());
    }

    @Test
    void detOfKnownMatrices() {
        Tensor m = Tensor.of(new float[]{1, 2, 3, 4, /* */ 2, 0, 0, 3, /* */ 0, 1, 1, 0}, 3, 2, 2);
        assertArrayEquals(new float[]{-2, 6, -1}, run1("Det", 22, List.of(), m).toFloatArray(), 1e-6f);
        Tensor singular = Tensor.of(new float[]{1, 2, 3, 2, 4, 6, 1, 1, 1}, 3, 3);
        assertEquals(0f, run1("Det", 22, List.of(), singular).getFloat(0), 1e-6f);
    }

    @Test
    void zeroTimesInfinityStillPoisonsTheSum() {
        Tensor a = Tensor.of(new float[]{0, 1}, 1, 2);
        Tensor b = Tensor.of(new float[]{Float.POSITIVE_INFINITY, 2}, 2, 1);
        assertTrue(Float.isNaN(run1("MatMul", 13, List.of(), a, b).getFloat(0)));
        assertTrue(Float.isNaN(run1("Gemm", 13, List.of(), a, b).getFloat(0)));
    }
}
