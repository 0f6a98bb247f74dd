package dev.kiln.tensor;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Checks {@link Float8} over every bit pattern of every narrow format against an independent formula
 * (Math.pow, explicit special-value rules) and a brute-force nearest-value search for encoding.
 */
class Float8Test {
    record Fmt(DType type, int exp, int man, int bias) {}

    static final List<Fmt> FORMATS = List.of(
            new Fmt(DType.F8E4M3FN, 4, 3, 7), new Fmt(DType.F8E4M3FNUZ, 4, 3, 8),
            new Fmt(DType.F8E5M2, 5, 2, 15), new Fmt(DType.F8E5M2FNUZ, 5, 2, 16),
            new Fmt(DType.F4E2M1, 2, 1, 1));

    /** The ONNX value of a bit pattern, written from the spec's tables rather than Float8's code. */
    static double expected(Fmt f, int b) {
        int bits = 1 + f.exp + f.man;
        int signMask = 1 << (bits - 1);
        int mag = b & (signMask - 1);
        boolean neg = (b & signMask) != 0;
        switch (f.type) {
            case F8E4M3FN -> { if (mag == 0x7F) return Double.NaN; }
            case F8E4M3FNUZ, F8E5M2FNUZ -> { if (b == 0x80) return Double.NaN; }
            case F8E5M2 -> {
                if (mag == 0x7C) return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                if (mag > 0x7C) return Double.NaN;
            }
            default -> { }
        }
        int e = mag >> f.man, m = mag & ((1 << f.man) - 1);
        double v = e == 0 ? m / Math.pow(2, f.man) * Math.pow(2, 1 - f.bias)
                : (1 + m / Math.pow(2, f.man)) * Math.pow(2, e - f.bias);
        return neg ? -v : v;
    }

    static int patterns(Fmt f) { return 1 << (1 + f.exp + f.man); }

    @Test
    void decodesEveryPattern() {
        for (Fmt f : FORMATS) {
            for (int b = 0; b < patterns(f); b++) {
                double want = expected(f, b);
                float got = Float8.toFloat(f.type, b);
                if (Double.isNaN(want)) assertTrue(Float.isNaN(got), f.type + " " + b);
                else assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got), f.type + " bits " + Integer.toHexString(b));
            }
        }
        assertEquals(448f, Float8.toFloat(DType.F8E4M3FN, 0x7E));
        assertEquals(240f, Float8.toFloat(DType.F8E4M3FNUZ, 0x7F));
        assertEquals(57344f, Float8.toFloat(DType.F8E5M2, 0x7B));
        assertEquals(57344f, Float8.toFloat(DType.F8E5M2FNUZ, 0x7F));
        assertEquals(6f, Float8.toFloat(DType.F4E2M1, 0x7));
    }

    @Test
    void everyFiniteValueRoundTrips() {
        for (Fmt f : FORMATS) {
            for (int b = 0; b < patterns(f); b++) {
                double v = expected(f, b);
                if (Double.isNaN(v) || Double.isInfinite(v)) continue;
                assertEquals(b, Float8.fromFloat(f.type, (float) v, false) , f.type + " " + Integer.toHexString(b));
                assertEquals(b, Float8.fromFloat(f.type, (float) v, true), f.type + " " + Integer.toHexString(b));
            }
        }
    }

    /** Brute force: the nearest finite value, ties to the even pattern; beyond max per the saturate rule. */
    static int nearest(Fmt f, float x, boolean saturate) {
        List<Integer> finite = new ArrayList<>();
        double max = 0;
        int maxBits = 0;
        for (int b = 0; b < patterns(f); b++) {
            double v = expected(f, b);
            if (Double.isNaN(v) || Double.isInfinite(v)) continue;
            finite.add(b);
            if (v > max) { max = v; maxBits = b; }
        }
        boolean uz = f.type == DType.F8E4M3FNUZ || f.type == DType.F8E5M2FNUZ;
        int signBit = f.type == DType.F4E2M1 ? 0x8 : 0x80;
        boolean neg = Float.floatToRawIntBits(x) < 0;
        double a = Math.abs((double) x);
        int best = -1;
        double bestErr = Double.MAX_VALUE;
        for (int b : finite) {
            double v = expected(f, b);
            if (v < 0 || (v == 0 && b != 0)) continue;   // search magnitudes only
            double err = Math.abs(v - a);
            if (err < bestErr || (err == bestErr && (b & 1) == 0)) { best = b; bestErr = err; }
        }
        // Beyond the largest finite value by at least half an ulp of it, the value overflows.
        double nextUp = max + (max - expected(f, maxBits - 1));
        boolean overflow = a >= (max + nextUp) / 2 && !(a == (max + nextUp) / 2 && (maxBits & 1) == 0);
        if (overflow || Double.isInfinite(a)) {
            if (saturate || f.type == DType.F4E2M1) best = maxBits;
            else if (f.type == DType.F8E5M2) return (neg ? 0x80 : 0) | 0x7C;
            else return uz ? 0x80 : (neg ? 0x80 : 0) | 0x7F;
        }
        if (best == 0 && uz) return 0;
        return (neg ? signBit : 0) | best;
    }

    @Test
    void midpointsRoundToEven() {
        for (Fmt f : FORMATS) {
            List<Double> values = new ArrayList<>();
            for (int b = 0; b < patterns(f); b++) {
                double v = expected(f, b);
                if (!Double.isNaN(v) && !Double.isInfinite(v) && v >= 0) values.add(v);
            }
            values.sort(Double::compare);
            for (int i = 0; i + 1 < values.size(); i++) {
                double mid = (values.get(i) + values.get(i + 1)) / 2;
                for (double x : new double[] {mid, Math.nextUp(mid), Math.nextDown(mid), -mid}) {
                    float fx = (float) x;
                    assertEquals(nearest(f, fx, true), Float8.fromFloat(f.type, fx, true), f.type + " x=" + fx);
                    if (f.type != DType.F4E2M1)
                        assertEquals(nearest(f, fx, false), Float8.fromFloat(f.type, fx, false), f.type + " nosat x=" + fx);
                }
            }
        }
    }

    @Property(tries = 3000)
    void encodeMatchesBruteForce(@ForAll float x) {
        for (Fmt f : FORMATS) {
            if (Float.isNaN(x)) continue;
            assertEquals(nearest(f, x, true), Float8.fromFloat(f.type, x, true), f.type + " x=" + x);
            if (f.type != DType.F4E2M1)
                assertEquals(nearest(f, x, false), Float8.fromFloat(f.type, x, false), f.type + " nosat x=" + x);
        }
    }

    @Test
    void specialValuesFollowTheOnnxTable() {
        float inf = Float.POSITIVE_INFINITY;
        assertEquals(0x7E, Float8.fromFloat(DType.F8E4M3FN, inf, true));
        assertEquals(0xFE, Float8.fromFloat(DType.F8E4M3FN, -inf, true));
        assertEquals(0x7F, Float8.fromFloat(DType.F8E4M3FN, inf, false));
        assertEquals(0x80, Float8.fromFloat(DType.F8E4M3FNUZ, inf, false));
        assertEquals(0x7C, Float8.fromFloat(DType.F8E5M2, inf, false));
        assertEquals(0xFC, Float8.fromFloat(DType.F8E5M2, -inf, false));
        assertEquals(0x7B, Float8.fromFloat(DType.F8E5M2, inf, true));
        assertEquals(0x80, Float8.fromFloat(DType.F8E5M2FNUZ, Float.NaN, true));
        assertEquals(0x7F, Float8.fromFloat(DType.F8E4M3FN, Float.NaN, true));
        assertEquals(0x80, Float8.fromFloat(DType.F8E4M3FN, -0f, true));
        assertEquals(0x00, Float8.fromFloat(DType.F8E4M3FNUZ, -0f, true));
        assertEquals(0x00, Float8.fromFloat(DType.F8E4M3FNUZ, -1e-7f, true));
        assertEquals(0x7E, Float8.fromFloat(DType.F8E4M3FN, 464f, true));   // tie between 448 and 480(NaN): even
        assertEquals(0x7E, Float8.fromFloat(DType.F8E4M3FN, 470f, true));
        assertEquals(0x7F, Float8.fromFloat(DType.F8E4M3FN, 470f, false));
        assertEquals(0x7, Float8.fromFloat(DType.F4E2M1, inf, false));
        assertEquals(0x8, Float8.fromFloat(DType.F4E2M1, Float.NaN, true));
        assertEquals(0x4, Float8.fromFloat(DType.F4E2M1, 2.5f, true));   // 2.5 between 2 (even) and 3
        assertEquals(0x6, Float8.fromFloat(DType.F4E2M1, 5f, true));     // 5 between 4 (even) and 6
    }

    @Test
    void e8m0IsAPowerOfTwo() {
        for (int b = 0; b < 255; b++) {
            assertEquals(Math.pow(2, b - 127), Float8.toFloat(DType.F8E8M0, b), 0.0, "bits " + b);
            float v = (float) Math.pow(2, b - 127);
            if (b >= 1) {   // normal f32 powers of two encode exactly under every mode
                for (Float8.RoundMode m : Float8.RoundMode.values()) assertEquals(b, Float8.toE8M0(v, true, m));
            }
        }
        assertTrue(Float.isNaN(Float8.toFloat(DType.F8E8M0, 0xFF)));
        assertEquals(0x80, Float8.toE8M0(1.1f, true, Float8.RoundMode.UP));
        assertEquals(0x7F, Float8.toE8M0(1.1f, true, Float8.RoundMode.DOWN));
        assertEquals(0x7F, Float8.toE8M0(1.4f, true, Float8.RoundMode.NEAREST));
        assertEquals(0x80, Float8.toE8M0(1.5f, true, Float8.RoundMode.NEAREST));
        assertEquals(0x7C, Float8.fromFloat(DType.F8E8M0, 0.124f, true));
        assertEquals(0xFE, Float8.toE8M0(Float.POSITIVE_INFINITY, true, Float8.RoundMode.UP));
        assertEquals(0xFF, Float8.toE8M0(Float.POSITIVE_INFINITY, false, Float8.RoundMode.UP));
        assertEquals(0xFF, Float8.toE8M0(Float.MAX_VALUE, false, Float8.RoundMode.UP));
        assertEquals(0xFF, Float8.toE8M0(Float.NaN, true, Float8.RoundMode.UP));
    }
}
