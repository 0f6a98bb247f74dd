package dev.kiln.tensor;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * f16 and bf16, exhaustively where the space allows. f16 is checked through Kiln's own paths (the {@link Half}
 * helpers and an F16 tensor's storage) against the JDK's {@code Float.float16ToFloat}/{@code floatToFloat16}.
 * bf16 is checked against {@link Ref}, an independent decoder and round-to-nearest-even encoder written here
 * from the format definition (sign, exponent, mantissa fields; the nearest representable value by exact
 * arithmetic), which also double-checks the JDK for f16.
 */
class HalfConversionTest {
    static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A binary format with 1 sign bit, {@code e} exponent bits and {@code m} mantissa bits, IEEE-style. */
    record Ref(int e, int m) {
        static final Ref F16 = new Ref(5, 10), BF16 = new Ref(8, 7);

        int bias() { return (1 << (e - 1)) - 1; }
        int expMask() { return (1 << e) - 1; }

        /** Decodes from the fields; NaN for any NaN pattern. */
        double decode(int bits) {
            int sign = (bits >> (e + m)) & 1;
            int exp = (bits >> m) & expMask();
            int man = bits & ((1 << m) - 1);
            double mag;
            if (exp == expMask()) mag = man == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
            else if (exp == 0) mag = Math.scalb((double) man, 1 - bias() - m);          // subnormal
            else mag = Math.scalb((double) ((1 << m) | man), exp - bias() - m);
            return sign == 1 ? -mag : mag;
        }

        /** Largest finite magnitude's bit pattern and the "next" value past it, which rounds to infinity. */
        int maxFiniteBits() { return ((expMask() - 1) << m) | ((1 << m) - 1); }
        double overflowThreshold() { return Math.scalb(1.0, expMask() - bias()); }   // 2^(emax+1)

        /**
         * Nearest representable value to {@code x}, ties to even; overflow to infinity exactly as IEEE 754 does
         * (values at or beyond max + half an ulp round to infinity). Distances are exact (BigDecimal).
         */
        int encode(double x) {
            int signBit = 1 << (e + m);
            if (Double.isNaN(x)) return (expMask() << m) | (1 << (m - 1));
            int sign = (x < 0 || (x == 0 && 1 / x < 0)) ? signBit : 0;
            double a = Math.abs(x);
            if (Double.isInfinite(a)) return sign | (expMask() << m);
            // Binary search over magnitudes: bit patterns 0..maxFinite are increasing in value.
            int lo = 0, hi = maxFiniteBits();
            if (a >= decode(hi)) {
                BigDecimal dMax = new BigDecimal(a).subtract(new BigDecimal(decode(hi)));
                BigDecimal dInf = new BigDecimal(overflowThreshold()).subtract(new BigDecimal(a));
                int c = dMax.compareTo(dInf);
                boolean toInf = c > 0 || (c == 0 && (hi & 1) == 1);   // tie: max finite is odd, infinity "even"
                return sign | (toInf ? (expMask() << m) : hi);
            }
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (decode(mid) <= a) lo = mid; else hi = mid;
            }
            BigDecimal dLo = new BigDecimal(a).subtract(new BigDecimal(decode(lo)));
            BigDecimal dHi = new BigDecimal(decode(hi)).subtract(new BigDecimal(a));
            int c = dLo.compareTo(dHi);
            int pick = c < 0 ? lo : c > 0 ? hi : ((lo & 1) == 0 ? lo : hi);
            return sign | pick;
        }
    }

    // ------------------------------------------------------------------ f16

    @Test
    void f16DecodeAllPatterns() {
        for (int bits = 0; bits < 65536; bits++) {
            float jdk = Float.float16ToFloat((short) bits);
            double mine = Ref.F16.decode(bits);
            assertEquals(Float.floatToRawIntBits(jdk), Float.floatToRawIntBits(Half.f16ToFloat((short) bits)));
            if (Double.isNaN(mine)) assertTrue(Float.isNaN(jdk), "bits " + Integer.toHexString(bits));
            else assertEquals(mine, jdk, 0.0, "bits " + Integer.toHexString(bits));
        }
    }

    @Test
    void f16TensorStorageReadsAndWritesAllPatterns() {
        MemorySegment seg = MemorySegment.ofArray(new byte[65536 * 2]);
        for (int i = 0; i < 65536; i++) seg.set(LE16, 2L * i, (short) i);
        Tensor t = Tensor.wrap(DType.F16, Shape.of(65536), seg);
        Tensor w = Tensor.allocate(DType.F16, Shape.of(65536));
        for (int i = 0; i < 65536; i++) {
            float jdk = Float.float16ToFloat((short) i);
            assertEquals(Float.floatToRawIntBits(jdk), Float.floatToRawIntBits(t.getFloat(i)), "read " + Integer.toHexString(i));
            if (Double.isNaN(jdk)) assertTrue(Double.isNaN(t.getDouble(i)));
            else assertEquals((double) jdk, t.getDouble(i), 0.0);
            w.setFloat(i, jdk);
        }
        for (int i = 0; i < 65536; i++) {
            short back = w.segment().get(LE16, 2L * i);
            assertEquals(Float.floatToFloat16(Float.float16ToFloat((short) i)), back, "write " + Integer.toHexString(i));
        }
    }

    /** Every f16 value, the midpoints between neighbours (ties) and the floats just either side of them. */
    @Test
    void f16EncodeAtEveryTieAndNeighbour() {
        Tensor w = Tensor.allocate(DType.F16, Shape.of(1));
        for (int bits = 0; bits < 0x7C00; bits++) {
            float a = Float.float16ToFloat((short) bits), b = Float.float16ToFloat((short) (bits + 1));
            float mid = (float) (((double) a + b) / 2);   // exact: f16 midpoints fit a float
            for (float f : new float[]{a, mid, Math.nextDown(mid), Math.nextUp(mid), -mid, -Math.nextUp(mid)}) {
                short jdk = Float.floatToFloat16(f);
                assertEquals(jdk, Half.floatToF16(f));
                assertEquals(Ref.F16.encode(f), jdk & 0xFFFF, "reference vs JDK at " + f);
                w.setFloat(0, f);
                assertEquals(jdk, w.segment().get(LE16, 0), "tensor write of " + f);
            }
        }
    }

    /** Doubles must round once, straight to f16/bf16: a detour through float rounds twice and can land wrong. */
    @Test
    void doublesRoundOnceToHalfAndBf16() {
        double justAboveF16Tie = 1 + 0x1p-11 + 0x1p-40;     // nearest f16 is 1 + 2^-10
        double justAboveBf16Tie = 1 + 0x1p-8 + 0x1p-40;     // nearest bf16 is 1 + 2^-7
        Tensor h = Tensor.allocate(DType.F16, Shape.of(1));
        h.setDouble(0, justAboveF16Tie);
        assertEquals(1 + 0x1p-10, h.getDouble(0));
        Tensor b = Tensor.allocate(DType.BF16, Shape.of(1));
        b.setDouble(0, justAboveBf16Tie);
        assertEquals(1 + 0x1p-7, b.getDouble(0));
    }

    @Property(tries = 3000)
    void randomDoublesRoundToNearestEven(@ForAll double x) {
        checkDouble(x);
        checkDouble(x * 0x1p-120);   // pull values into the f16/bf16 subnormal and normal ranges too
        checkDouble(x * 0x1p-1000);
    }

    @Property(tries = 3000)
    void randomRawDoublesRoundToNearestEven(@ForAll long rawBits) {
        checkDouble(Double.longBitsToDouble(rawBits));
    }

    private static void checkDouble(double x) {
        Tensor h = Tensor.allocate(DType.F16, Shape.of(1));
        Tensor b = Tensor.allocate(DType.BF16, Shape.of(1));
        h.setDouble(0, x);
        b.setDouble(0, x);
        short hb = h.segment().get(LE16, 0), bb = b.segment().get(LE16, 0);
        if (Double.isNaN(x)) {
            assertTrue(Double.isNaN(h.getDouble(0)) && Double.isNaN(b.getDouble(0)));
            return;
        }
        assertEquals(Ref.F16.encode(x), hb & 0xFFFF, () -> "f16 of " + x + " got " + h.getDouble(0));
        assertEquals(Ref.BF16.encode(x), bb & 0xFFFF, () -> "bf16 of " + x + " got " + b.getDouble(0));
    }

    // ------------------------------------------------------------------ bf16

    @Test
    void bf16DecodeAllPatterns() {
        for (int bits = 0; bits < 65536; bits++) {
            float got = Half.bf16ToFloat((short) bits);
            double want = Ref.BF16.decode(bits);
            if (Double.isNaN(want)) assertTrue(Float.isNaN(got), Integer.toHexString(bits));
            else assertEquals(want, got, 0.0, Integer.toHexString(bits));
            // A bf16 is the top half of a float: bits must survive unchanged, NaN payloads included.
            assertEquals(bits << 16, Float.floatToRawIntBits(got));
        }
    }

    /** For every bf16 pattern: the value itself, just below/at/just above the tie to the next, and the top. */
    @Test
    void bf16EncodeEveryPatternTiesAndNeighbours() {
        int[] lows = {0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF};
        for (int hi = 0; hi < 65536; hi++) {
            for (int low : lows) {
                float f = Float.intBitsToFloat((hi << 16) | low);
                short got = Half.floatToBf16(f);
                if (Float.isNaN(f)) {
                    assertTrue(Float.isNaN(Half.bf16ToFloat(got)), "NaN must stay NaN: " + Integer.toHexString(hi));
                    assertEquals(hi >>> 15, (got >>> 15) & 1, "NaN keeps its sign");
                    continue;
                }
                assertEquals(Ref.BF16.encode(f), got & 0xFFFF,
                        () -> "bf16 of " + f + " (" + Integer.toHexString(Float.floatToRawIntBits(f)) + ")");
            }
        }
    }

    @Property(tries = 5000)
    void bf16EncodeRandomFloats(@ForAll int rawBits) {
        float f = Float.intBitsToFloat(rawBits);
        short got = Half.floatToBf16(f);
        if (Float.isNaN(f)) assertTrue(Float.isNaN(Half.bf16ToFloat(got)));
        else assertEquals(Ref.BF16.encode(f), got & 0xFFFF);
    }

    @Test
    void bf16SpecialValues() {
        assertEquals(0x7F80, Half.floatToBf16(Float.POSITIVE_INFINITY) & 0xFFFF);
        assertEquals(0xFF80, Half.floatToBf16(Float.NEGATIVE_INFINITY) & 0xFFFF);
        assertEquals(0x7F80, Half.floatToBf16(Float.MAX_VALUE) & 0xFFFF, "max float rounds up to infinity");
        assertEquals(0x8000, Half.floatToBf16(-0.0f) & 0xFFFF);
        assertEquals(0x0001, Half.floatToBf16(Float.intBitsToFloat(0x00008001)) & 0xFFFF, "subnormal rounds up past the tie");
        assertEquals(0x0000, Half.floatToBf16(Float.intBitsToFloat(0x00008000)) & 0xFFFF, "subnormal tie goes to even");
        assertTrue(Float.isNaN(Half.bf16ToFloat(Half.floatToBf16(Float.intBitsToFloat(0x7F800001)))),
                "a NaN whose payload lives only in the low half must not turn into infinity");
    }

    @Test
    void referenceSelfCheck() {
        // The reference must agree with the JDK on f16 for a spread of awkward values, or it proves nothing for bf16.
        for (double x : new double[]{0, -0.0, 1, 65504, 65519.99, 65520, 1e-8, 2.98e-8, 5.96e-8, 6.1e-5, -3.14159})
            assertEquals(Float.floatToFloat16((float) x) & 0xFFFF, Ref.F16.encode(x), "at " + x);
        assertEquals(0x7C00, Ref.F16.encode(1e6));
        assertEquals(Arrays.asList(0x3C00, 0x3F80), Arrays.asList(Ref.F16.encode(1.0), Ref.BF16.encode(1.0)));
    }
}
