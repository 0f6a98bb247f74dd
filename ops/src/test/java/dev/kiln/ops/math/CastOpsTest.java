package dev.kiln.ops.math;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.kiln.ops.math.MathRun.*;
import static org.junit.jupiter.api.Assertions.*;

class CastOpsTest {
    private static Tensor cast(Tensor x, DType to) {
        return op("Cast").attr("to", (long) to.onnxCode()).in(x).run1();
    }

    @Test
    void everyHalfPrecisionBitPatternRoundTripsThroughFloat() {
        short[] bits = new short[65536];
        for (int i = 0; i < bits.length; i++) bits[i] = (short) i;
        for (DType t : new DType[] {DType.F16, DType.BF16}) {
            Tensor h = Tensor.allocate(t, dev.kiln.tensor.Shape.of(65536));
            for (int i = 0; i < 65536; i++) h.segment().set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i * 2L, bits[i]);
            Tensor back = cast(cast(h, DType.F32), t);
            for (int i = 0; i < 65536; i++) {
                short got = back.segment().get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i * 2L);
                double v = h.getDouble(i);
                if (Double.isNaN(v)) assertTrue(Double.isNaN(back.getDouble(i)));
                else assertEquals(bits[i], got, t + " bits " + Integer.toHexString(i));
            }
        }
    }

    @Test
    void doubleToHalfRoundsOnce() {
        // 1 + 2^-11 + 2^-40 is just above the f16 midpoint between 1 and 1+2^-10; via f32 it would round to the
        // midpoint and then to even (1.0). Correct single rounding gives 1 + 2^-10.
        double v = 1 + Math.scalb(1.0, -11) + Math.scalb(1.0, -40);
        assertEquals(1 + Math.scalb(1.0, -10), cast(Tensor.ofDoubles(new double[] {v}, 1), DType.F16).getDouble(0));
    }

    @Test
    void int64ToFloatRoundsOnce() {
        // 2^60 + 2^36 + 1 is just above the f32 midpoint 2^60 + 2^36; through double the +1 is lost and the tie
        // rounds to even (2^60). Direct rounding goes up.
        long v = (1L << 60) + (1L << 36) + 1;
        assertEquals((double) (float) v, cast(Tensor.ofLongs(new long[] {v}, 1), DType.F32).getDouble(0));
        assertEquals(Math.scalb(1.0, 60) + Math.scalb(1.0, 37), cast(Tensor.ofLongs(new long[] {v}, 1), DType.F32).getDouble(0));
    }

    @Test
    void subByteIntegersWrap() {
        assertLongs(cast(f32(-9, -8, 7, 8, 15.7f), DType.I4), 7, -8, 7, -8, -1);
        assertLongs(cast(f32(-1, 16, 17), DType.U4), 15, 0, 1);
        assertLongs(cast(f32(-3, 2, 3), DType.I2), 1, -2, -1);
        assertLongs(cast(of(DType.I4, -8, 7), DType.I8), -8, 7);
    }

    @Test
    void floatToIntTruncatesAndBoolIsNonZero() {
        assertLongs(cast(f32(2.9f, -2.9f, 0), DType.I32), 2, -2, 0);
        assertLongs(cast(f32(0.1f, 0, Float.NaN, -0f), DType.BOOL), 1, 0, 1, 0);
        assertValues(cast(Tensor.ofBooleans(new boolean[] {true, false}, 2), DType.F32), 1, 0);
        assertLongs(cast(Tensor.fromDoubles(DType.F64, new double[] {1.8446744073709552E19 / 2 + 4096}, 1), DType.U64), Long.MIN_VALUE + 4096);
    }

    @Test
    void stringsParseAndFormat() {
        Tensor s = Tensor.ofStrings(new String[] {"3.14", "1e-5", "+INF", "-inf", "NaN", " 1000 ", "1E8"}, 7);
        assertValues(cast(s, DType.F32), 3.14f, 1e-5f, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1000, 1e8);
        assertLongs(cast(Tensor.ofStrings(new String[] {"-17", "100.5"}, 2), DType.I64), -17, 100);
        assertArrayEquals(new String[] {"1.0", "0.1", "-2.5", "1e+20", "1.5e-05", "inf", "nan"},
                cast(f32(1, 0.1f, -2.5f, 1e20f, 1.5e-5f, Float.POSITIVE_INFINITY, Float.NaN), DType.STRING).toStringArray());
        assertArrayEquals(new String[] {"-3", "True"}, new String[] {cast(of(DType.I32, -3), DType.STRING).getString(0),
                cast(Tensor.ofBooleans(new boolean[] {true}, 1), DType.STRING).getString(0)});
    }

    @Test
    void narrowFloatsFormatWithTheirOwnShortestDigits() {
        assertArrayEquals(new String[] {"0.1", "65500.0", "6e-08"},
                cast(Tensor.fromDoubles(DType.F16, new double[] {0.1, 65504 - 4, Math.scalb(1.0, -24)}, 3), DType.STRING).toStringArray());
        assertEquals("0.1", cast(Tensor.fromDoubles(DType.BF16, new double[] {0.1}, 1), DType.STRING).getString(0));
        // Round trip: every f16 formats to a string that parses back to itself.
        Tensor all = Tensor.allocate(DType.F16, dev.kiln.tensor.Shape.of(65536));
        for (int i = 0; i < 65536; i++) all.segment().set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i * 2L, (short) i);
        Tensor back = cast(cast(all, DType.STRING), DType.F16);
        for (int i = 0; i < 65536; i++) {
            double a = all.getDouble(i), b = back.getDouble(i);
            assertTrue(Double.isNaN(a) ? Double.isNaN(b) : a == b, "f16 bits " + Integer.toHexString(i));
        }
    }

    @Test
    void float8SaturationAndE8M0RoundMode() {
        Tensor x = f32(1000, -1000, Float.POSITIVE_INFINITY);
        Tensor sat = cast(x, DType.F8E4M3FN);
        assertValues(sat, 448, -448, 448);
        Tensor nosat = op("Cast").attr("to", (long) DType.F8E4M3FN.onnxCode()).attr("saturate", 0L).in(x).run1();
        assertTrue(Double.isNaN(nosat.getDouble(0)) && Double.isNaN(nosat.getDouble(2)));
        Tensor e5 = op("Cast").attr("to", (long) DType.F8E5M2.onnxCode()).attr("saturate", 0L).in(x).run1();
        assertValues(e5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        assertValues(op("Cast").attr("to", (long) DType.F8E8M0.onnxCode()).in(f32(1.1f, 3f)).run1(), 2, 4);
        assertValues(op("Cast").attr("to", (long) DType.F8E8M0.onnxCode()).attr("round_mode", "down").in(f32(1.1f, 3f)).run1(), 1, 2);
        assertValues(op("Cast").attr("to", (long) DType.F8E8M0.onnxCode()).attr("round_mode", "nearest").in(f32(1.4f, 3f)).run1(), 1, 4);
    }

    @Test
    void castLikeTakesTheSecondInputsType() {
        Tensor y = op("CastLike").in(f32(1.5f, -2.5f)).in(Tensor.ofLongs(new long[0], 0)).run1();
        assertEquals(DType.I64, y.dtype());
        assertLongs(y, 1, -2);
    }
}
