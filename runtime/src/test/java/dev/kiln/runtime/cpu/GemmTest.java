package dev.kiln.runtime.cpu;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SGEMM against a naive double-precision triple loop over random shapes (0, 1, primes, tails shorter than a
 * vector), transposes, alpha/beta, epilogues, pre-packed B, and random blockings and thread splits so every
 * micro-kernel and edge path runs. Surefire repeats this class with each forced vector width.
 */
class GemmTest {
    private static final KilnPool POOL3 = new KilnPool(3);

    @Provide Arbitrary<Integer> dim() {
        return Arbitraries.oneOf(Arbitraries.of(0, 1, 2, 3, 5, 7, 13, 17, 31, 33, 61, 64, 67), Arbitraries.integers().between(0, 90));
    }

    @Provide Arbitrary<int[]> shape() {
        return Arbitraries.integers().between(0, MicroKernels.SHAPES.length - 1).list().ofSize(1)
                .map(l -> MicroKernels.SHAPES[l.get(0)]);
    }

    @Property(tries = 150)
    void matchesNaive(@ForAll("dim") int m, @ForAll("dim") int n, @ForAll("dim") int k,
                      @ForAll boolean transA, @ForAll boolean transB, @ForAll("shape") int[] kernel,
                      @ForAll @IntRange(min = 1, max = 40) int mc, @ForAll @IntRange(min = 1, max = 40) int kc,
                      @ForAll @IntRange(min = 1, max = 100) int nc, @ForAll @IntRange(min = 1, max = 3) int tm,
                      @ForAll @IntRange(min = 1, max = 3) int tn, @ForAll @IntRange(min = 0, max = 3) int scalars,
                      @ForAll @IntRange(min = 0, max = 2) int epi, @ForAll boolean prepack, @ForAll long seed) {
        Random r = new Random(seed);
        float alpha = scalars == 0 ? 1f : scalars == 1 ? 0.5f : -1.25f;
        float beta = scalars == 0 ? 0f : scalars == 1 ? 1f : scalars == 2 ? 0f : 0.75f;
        // A stored as M x K (or K x M when transposed), row pitch padded to test leading dimensions
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 1, ldc = n + 2;
        float[] a = rand(r, (transA ? k : m) * lda + 1), b = rand(r, (transB ? n : k) * ldb + 1), c0 = rand(r, m * ldc + 1);
        float[] bias = rand(r, Math.max(n, 1));
        Arena arena = Arena.ofAuto();
        MemorySegment as = seg(arena, a), bs = seg(arena, b), cs = seg(arena, c0), biasSeg = seg(arena, bias);
        long ars = transA ? 1 : lda, acs = transA ? lda : 1, brs = transB ? 1 : ldb, bcs = transB ? ldb : 1;
        Epilogue ep = epi == 0 ? Epilogue.NONE : epi == 1 ? Epilogue.columnBias(biasSeg, 0, Activation.RELU) : Epilogue.rowBias(biasSeg, 0, Activation.NONE);
        if (epi == 2 && m > bias.length) ep = Epilogue.of(Activation.GELU_TANH);
        GemmParams p = VectorConfig.SCALAR ? null : new GemmParams(kernel[0], kernel[1], mc, kc, nc, tm, tn);
        if (prepack && !VectorConfig.SCALAR) {
            PackedB pb = Sgemm.packB(k, n, bs, 1, brs, bcs, kernel[1]);
            Sgemm.gemm(m, n, k, alpha, as, 1, ars, acs, pb, beta, cs, 2, ldc, ep, p, POOL3);
        } else {
            Sgemm.gemm(m, n, k, alpha, as, 1, ars, acs, bs, 1, brs, bcs, beta, cs, 2, ldc, ep, p, POOL3);
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, mag = 0;
                for (int q = 0; q < k; q++) {
                    double x = a[1 + (int) (i * ars + q * acs)] * (double) b[1 + (int) (q * brs + j * bcs)];
                    s += x;
                    mag += Math.abs(x);
                }
                double want = alpha * s + (beta == 0 ? 0 : beta * c0[2 + i * ldc + j]);
                if (ep.bias() != null) want += ep.perRow() ? bias[i] : bias[j];
                want = switch (ep.act()) {
                    case RELU -> Math.max(0, want);
                    case GELU_TANH -> Activation.geluTanhScalar((float) want);
                    default -> want;
                };
                float got = cs.getAtIndex(ValueLayout.JAVA_FLOAT, 2 + (long) i * ldc + j);
                final int fi = i, fj = j;
                double tol = 1e-5 * (Math.abs(alpha) * mag + Math.abs(beta * c0[2 + i * ldc + j]) + 1);
                assertEquals(want, got, tol, () -> "C[" + fi + "," + fj + "] of " + m + "x" + n + "x" + k + " " + p);
            }
        }
        // the padding between rows of C is untouched
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc && 2 + i * ldc + j < c0.length; j++)
                assertEquals(c0[2 + i * ldc + j], cs.getAtIndex(ValueLayout.JAVA_FLOAT, 2 + (long) i * ldc + j));
    }

    @Property(tries = 20)
    void defaultParamsAndArrayApi(@ForAll("dim") int m, @ForAll("dim") int n, @ForAll("dim") int k, @ForAll long seed) {
        Random r = new Random(seed);
        float[] a = rand(r, m * k), b = rand(r, k * n), c = new float[m * n];
        Sgemm.sgemm(false, false, m, n, k, 1f, a, Math.max(k, 1), b, Math.max(n, 1), 0f, c, Math.max(n, 1));
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int q = 0; q < k; q++) s += a[i * k + q] * (double) b[q * n + j];
                assertEquals(s, c[i * n + j], 1e-4 * (1 + k));
            }
    }

    @Property(tries = 10)
    void splitCoversRangeAligned(@ForAll @IntRange(min = 0, max = 5000) int len, @ForAll @IntRange(min = 1, max = 8) int parts,
                                 @ForAll @IntRange(min = 1, max = 64) int align) {
        assertEquals(0, Sgemm.split(len, parts, 0, align));
        assertEquals(len, Sgemm.split(len, parts, parts, align));
        for (int i = 1; i < parts; i++) {
            int s = Sgemm.split(len, parts, i, align);
            assertTrue(s >= Sgemm.split(len, parts, i - 1, align));
            assertTrue(s == len || s % align == 0);
        }
    }

    static float[] rand(Random r, int n) {
        float[] x = new float[Math.max(n, 0)];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        return x;
    }

    static MemorySegment seg(Arena arena, float[] x) {
        MemorySegment s = arena.allocate(Math.max(4L * x.length, 4), 64);
        MemorySegment.copy(x, 0, s, ValueLayout.JAVA_FLOAT, 0, x.length);
        return s;
    }
}
