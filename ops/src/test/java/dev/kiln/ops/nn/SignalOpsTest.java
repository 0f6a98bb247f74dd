package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.kiln.ops.nn.AttentionOpRunner.assertClose;
import static dev.kiln.ops.nn.AttentionOpRunner.random;
import static dev.kiln.ops.nn.AttentionOpRunner.run1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Semantics of DFT, STFT, the window functions and MelWeightMatrix. */
class SignalOpsTest {
    private static Tensor axis(long a) { return Tensor.scalarLong(DType.I64, a); }

    /** A forward DFT followed by the inverse returns the complex input, along any axis, for both opsets. */
    @Property(tries = 40)
    void dftThenInverseRoundTrips(@ForAll @IntRange(min = 1, max = 9) int n, @ForAll @IntRange(min = 1, max = 2) int ax,
                                  @ForAll boolean opset17, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = random(rnd, 2, ax == 1 ? n : 3, ax == 2 ? n : 3, 2);
        Tensor f, back;
        if (opset17) {
            f = run1("DFT", 17, List.of(Attribute.of("axis", (long) ax)), x);
            back = run1("DFT", 17, List.of(Attribute.of("axis", (long) ax), Attribute.of("inverse", 1L)), f);
        } else {
            f = run1("DFT", 20, List.of(), x, null, axis(ax));
            back = run1("DFT", 20, List.of(Attribute.of("inverse", 1L)), f, null, axis(ax - 4));
        }
        assertClose(x, back, 1e-4, 1e-5);
    }

    /** The one-sided DFT of a real signal is the first n/2+1 bins of the full DFT, and irfft inverts it. */
    @Property(tries = 40)
    void onesidedMatchesFullAndInverts(@ForAll @IntRange(min = 1, max = 6) int half, @ForAll long seed) {
        int n = 2 * half;
        Random rnd = new Random(seed);
        Tensor x = random(rnd, 1, n, 1);
        Tensor full = run1("DFT", 20, List.of(), x, null, axis(1));
        Tensor rfft = run1("DFT", 20, List.of(Attribute.of("onesided", 1L)), x, null, axis(1));
        assertEquals(dev.kiln.tensor.Shape.of(1, half + 1, 2), rfft.shape());
        for (int k = 0; k <= half; k++) for (int c = 0; c < 2; c++)
            assertEquals(full.getDouble(k * 2 + c), rfft.getDouble(k * 2 + c), 1e-5);
        Tensor back = run1("DFT", 20, List.of(Attribute.of("onesided", 1L), Attribute.of("inverse", 1L)), rfft, null, axis(1));
        assertClose(x, back, 1e-4, 1e-5);
    }

    /** irfft with a dft_length shorter than the spectrum uses only bins up to n/2 and mirrors the rest. */
    @Test
    void irfftWithShortDftLengthUsesHermitianHalf() {
        Random rnd = new Random(9);
        Tensor x = random(rnd, 1, 4, 1);
        Tensor spec = run1("DFT", 20, List.of(Attribute.of("onesided", 1L)), x, null, axis(1));       // 3 bins
        float[] padded = new float[6 * 2];
        for (int i = 0; i < 6; i++) padded[i] = (float) spec.getDouble(i);
        for (int i = 6; i < 12; i++) padded[i] = 100 + i;                                                  // junk bins 3..5
        Tensor back = run1("DFT", 20, List.of(Attribute.of("onesided", 1L), Attribute.of("inverse", 1L)),
                Tensor.of(padded, 1, 6, 2), Tensor.scalarLong(DType.I64, 4), axis(1));
        assertClose(x, back, 1e-5, 1e-6);
    }

    @Test
    void dftOfImpulseIsFlatAndDftLengthPads() {
        Tensor x = Tensor.of(new float[]{1, 0, 0}, 1, 3, 1);
        Tensor y = run1("DFT", 20, List.of(), x, Tensor.scalarLong(DType.I64, 5), axis(1));
        assertEquals(dev.kiln.tensor.Shape.of(1, 5, 2), y.shape());
        for (int k = 0; k < 5; k++) { assertEquals(1.0, y.getDouble(2 * k), 1e-6); assertEquals(0.0, y.getDouble(2 * k + 1), 1e-6); }
        assertThrows(OpFailure.class, () -> run1("DFT", 20, List.of(), Tensor.of(new float[6], 1, 2, 3), null, axis(1)));
        assertThrows(OpFailure.class, () -> run1("DFT", 20, List.of(), x, null, axis(2)));
    }

    /** STFT with a single frame is the windowed frame's one-sided DFT. */
    @Property(tries = 20)
    void stftSingleFrameIsWindowedDft(@ForAll @IntRange(min = 2, max = 9) int n, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor sig = random(rnd, 1, n, 1);
        Tensor win = run1("HannWindow", 17, List.of(), Tensor.scalarLong(DType.I32, n));
        Tensor y = run1("STFT", 17, List.of(), sig, Tensor.scalarLong(DType.I64, 1), win);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = sig.getDouble(i) * win.getDouble(i);
        Tensor want = run1("DFT", 20, List.of(Attribute.of("onesided", 1L)), Tensor.fromDoubles(DType.F32, w, 1, n, 1), null, axis(1));
        assertClose(want.reshape(1, 1, n / 2 + 1, 2), y, 1e-5, 1e-6);
    }

    /** Symmetric windows are palindromes; a periodic window of N is the symmetric window of N+1 without its end. */
    @Property(tries = 30)
    void windowSymmetryAndPeriodicity(@ForAll @IntRange(min = 0, max = 2) int kind, @ForAll @IntRange(min = 2, max = 20) int n) {
        String op = new String[]{"HannWindow", "HammingWindow", "BlackmanWindow"}[kind];
        Tensor sym = run1(op, 17, List.of(Attribute.of("periodic", 0L)), Tensor.scalarLong(DType.I64, n));
        Tensor per = run1(op, 17, List.of(), Tensor.scalarLong(DType.I64, n));
        Tensor sym1 = run1(op, 17, List.of(Attribute.of("periodic", 0L), Attribute.of("output_datatype", 11L)), Tensor.scalarLong(DType.I64, n + 1));
        assertEquals(DType.F64, sym1.dtype());
        for (int i = 0; i < n; i++) {
            assertEquals(sym.getDouble(i), sym.getDouble(n - 1 - i), 1e-6);
            assertEquals(sym1.getDouble(i), per.getDouble(i), 1e-6);
        }
    }

    @Test
    void melWeightMatrixShapeAndTriangles() {
        Tensor m = run1("MelWeightMatrix", 17, List.of(), Tensor.scalarLong(DType.I32, 8), Tensor.scalarLong(DType.I32, 64),
                Tensor.scalarLong(DType.I32, 8000), Tensor.scalar(DType.F32, 0), Tensor.scalar(DType.F32, 4000));
        assertEquals(dev.kiln.tensor.Shape.of(33, 8), m.shape());
        for (long i = 0; i < m.numel(); i++) {
            double v = m.getDouble(i);
            if (v < 0 || v > 1) throw new AssertionError("weight " + v + " outside [0, 1]");
        }
    }

    /** The radix-2 and Bluestein paths agree with the textbook sum for lengths past the direct-sum cutoff. */
    @Property(tries = 30)
    void fftMatchesDirectSum(@ForAll @IntRange(min = 65, max = 300) int n, @ForAll boolean powerOfTwo, @ForAll boolean inverse,
                             @ForAll long seed) {
        if (powerOfTwo) n = Integer.highestOneBit(n) * 2;
        Random rnd = new Random(seed);
        double[] re = new double[n], im = new double[n];
        for (int i = 0; i < n; i++) { re[i] = rnd.nextGaussian(); im[i] = rnd.nextGaussian(); }
        int sign = inverse ? 1 : -1;
        double[] wr = new double[n], wi = new double[n];
        for (int k = 0; k < n; k++) for (int t = 0; t < n; t++) {
            double a = sign * 2 * Math.PI * ((long) k * t % n) / n;
            wr[k] += re[t] * Math.cos(a) - im[t] * Math.sin(a);
            wi[k] += re[t] * Math.sin(a) + im[t] * Math.cos(a);
        }
        SignalFft.transform(re, im, n, sign);
        for (int k = 0; k < n; k++) {
            assertEquals(wr[k], re[k], 1e-9 * n);
            assertEquals(wi[k], im[k], 1e-9 * n);
        }
    }
}
