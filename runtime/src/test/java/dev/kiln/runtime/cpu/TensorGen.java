package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared generators and comparisons for the CPU kernel properties. */
final class TensorGen {
    private TensorGen() {}

    /** Dims that stress vector tails: 0, 1, primes, just under/over vector widths. */
    static Arbitrary<Integer> dim() {
        return Arbitraries.oneOf(Arbitraries.of(0, 1, 1, 2, 3, 5, 7, 8, 13, 15, 16, 17, 31, 33), Arbitraries.integers().between(1, 40));
    }

    static Arbitrary<long[]> shape(int minRank, int maxRank) {
        return dim().list().ofMinSize(minRank).ofMaxSize(maxRank).map(l -> l.stream().mapToLong(Integer::longValue).toArray());
    }

    static Tensor random(Random r, long... dims) {
        Shape s = Shape.of(dims);
        Tensor t = Tensor.allocate(DType.F32, s);
        for (long i = 0; i < s.numel(); i++) t.setDouble(i, r.nextFloat() * 4 - 2);
        return t;
    }

    /** A random tensor that is a non-contiguous view (a transpose of a dense tensor) when rank >= 2. */
    static Tensor randomView(Random r, boolean transposed, long... dims) {
        if (!transposed || dims.length < 2) return random(r, dims);
        long[] d = dims.clone();
        int a = d.length - 1, b = d.length - 2;
        long x = d[a]; d[a] = d[b]; d[b] = x;
        return random(r, d).transpose(a, b);
    }

    static void assertClose(Tensor want, Tensor got, double rtol, double atol) {
        assertArrayEquals(want.shape().dims(), got.shape().dims(), () -> "shape " + got.shape() + " want " + want.shape());
        assertEquals(DType.F32, got.dtype());
        for (long i = 0; i < want.numel(); i++) {
            double w = want.getDouble(i), g = got.getDouble(i);
            if (Double.isNaN(w)) { assertEquals(Double.NaN, g, "element " + i); continue; }
            final long fi = i;
            assertEquals(w, g, atol + rtol * Math.abs(w), () -> "element " + fi + " of " + want.shape());
        }
    }
}
