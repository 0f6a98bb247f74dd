package dev.kiln.ops.math;

import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.kiln.ops.math.MathRun.*;
import static org.junit.jupiter.api.Assertions.*;

/** Hand-checked values for the semantics that are easy to get wrong. */
class ElementwiseOpsTest {
    @Test
    void integerDivisionTruncatesAndDivisionByZeroIsZero() {
        Tensor a = of(DType.I32, 7, -7, 7, -7, 5), b = of(DType.I32, 2, 2, -2, -2, 0);
        Tensor y = op("Div").in(a).in(b).run1();
        assertEquals(DType.I32, y.dtype());
        assertLongs(y, 3, -3, -3, 3, 0);
    }

    @Test
    void modFollowsDivisorSignUnlessFmod() {
        Tensor a = of(DType.I64, -4, 7, 5, -5), b = of(DType.I64, 3, -3, 3, -3);
        assertLongs(op("Mod").in(a).in(b).run1(), 2, -2, 2, -2);
        assertLongs(op("Mod").attr("fmod", 1L).in(a).in(b).run1(), -1, 1, 2, -2);
        assertValues(op("Mod").attr("fmod", 1L).in(f32(-4.5f, 4.5f)).in(f32(2, -2)).run1(), -0.5, 0.5);
    }

    @Test
    void roundIsHalfToEven() {
        assertValues(op("Round").in(f32(0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, -2.6f)).run1(), 0, 2, 2, -0.0, -2, 2, -3);
    }

    @Test
    void powMixesBaseAndExponentTypes() {
        assertLongs(op("Pow").in(of(DType.I64, 2, 3, -2)).in(of(DType.I64, 10, 3, 3)).run1(), 1024, 27, -8);
        Tensor y = op("Pow").in(of(DType.I32, 2, 9)).in(f32(0.5f, 0.5f)).run1();
        assertEquals(DType.I32, y.dtype());
        assertLongs(y, 1, 3);
        assertValues(op("Pow").in(f32(2, 4)).in(of(DType.I64, 3, -1)).run1(), 8, 0.25);
    }

    @Test
    void clipReadsAttributesBeforeOpset11AndInputsAfter() {
        Tensor x = f32(-3, 0, 3, Float.NaN);
        assertValues(op("Clip").opset(6).attr("min", -1f).attr("max", 1f).in(x).run1(), -1, 0, 1, Double.NaN);
        assertValues(op("Clip").opset(13).in(x).in(Tensor.scalar(DType.F32, -1)).in(Tensor.scalar(DType.F32, 1)).run1(), -1, 0, 1, Double.NaN);
        assertValues(op("Clip").opset(13).in(x).in(null).in(Tensor.scalar(DType.F32, 1)).run1(), -3, 0, 1, Double.NaN);
        // min > max: everything becomes max.
        assertValues(op("Clip").opset(13).in(x).in(Tensor.scalar(DType.F32, 2)).in(Tensor.scalar(DType.F32, 1)).run1(), 1, 1, 1, Double.NaN);
        assertLongs(op("Clip").opset(13).in(of(DType.I8, -100, 5, 100)).in(Tensor.scalarLong(DType.I8, -10)).in(Tensor.scalarLong(DType.I8, 10)).run1(), -10, 5, 10);
    }

    @Test
    void isInfHonoursDetectFlags() {
        Tensor x = f32(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1, Float.NaN);
        assertLongs(op("IsInf").in(x).run1(), 1, 1, 0, 0);
        assertLongs(op("IsInf").attr("detect_negative", 0L).in(x).run1(), 1, 0, 0, 0);
        assertLongs(op("IsInf").attr("detect_positive", 0L).in(x).run1(), 0, 1, 0, 0);
        assertLongs(op("IsNaN").in(x).run1(), 0, 0, 0, 1);
    }

    @Test
    void integerUnaryOpsWrapAndRespectSignedness() {
        assertLongs(op("Abs").in(of(DType.I8, -128, -5, 5)).run1(), -128, 5, 5);   // wraps like int8 arithmetic
        assertLongs(op("Neg").in(of(DType.I32, 5, -7)).run1(), -5, 7);
        assertLongs(op("Sign").in(of(DType.I64, -9, 0, 4)).run1(), -1, 0, 1);
        assertLongs(op("Sign").in(Tensor.fromLongs(DType.U64, new long[] {-1L, 0}, 2)).run1(), 1, 0);
    }

    @Test
    void bitShiftIsLogicalAndShiftsBeyondWidthGiveZero() {
        Tensor x = Tensor.fromLongs(DType.U8, new long[] {16, 255, 1}, 3);
        assertLongs(op("BitShift").attr("direction", "RIGHT").in(x).in(Tensor.fromLongs(DType.U8, new long[] {1, 4, 0}, 3)).run1(), 8, 15, 1);
        assertLongs(op("BitShift").attr("direction", "LEFT").in(x).in(Tensor.fromLongs(DType.U8, new long[] {4, 1, 7}, 3)).run1(), 0, 254, 128);
        Tensor big = Tensor.fromLongs(DType.U64, new long[] {-1L}, 1);
        assertLongs(op("BitShift").attr("direction", "RIGHT").in(big).in(Tensor.fromLongs(DType.U64, new long[] {64}, 1)).run1(), 0);
        assertLongs(op("BitShift").attr("direction", "RIGHT").in(big).in(Tensor.fromLongs(DType.U64, new long[] {60}, 1)).run1(), 15);
        assertThrows(OpFailure.class, () -> op("BitShift").attr("direction", "UP").in(x).in(x).run1());
    }

    @Test
    void bitwiseOpsUseTheTypeWidth() {
        assertLongs(op("BitwiseNot").in(Tensor.fromLongs(DType.U8, new long[] {0, 0xF0}, 2)).run1(), 255, 15);
        assertLongs(op("BitwiseNot").in(of(DType.I32, 0, -1)).run1(), -1, 0);
        assertLongs(op("BitwiseAnd").in(of(DType.I32, 12)).in(of(DType.I32, 10)).run1(), 8);
        assertLongs(op("BitwiseXor").in(of(DType.I32, 12)).in(of(DType.I32, 10)).run1(), 6);
    }

    @Test
    void whereBroadcastsAllThreeInputs() {
        Tensor c = Tensor.ofBooleans(new boolean[] {true, false}, 2, 1);
        Tensor y = op("Where").in(c).in(f32(1, 2, 3)).in(Tensor.scalar(DType.F32, -1)).run1();
        assertEquals(dev.kiln.tensor.Shape.of(2, 3), y.shape());
        assertValues(y, 1, 2, 3, -1, -1, -1);
        Tensor s = op("Where").in(Tensor.ofBooleans(new boolean[] {true, false}, 2))
                .in(Tensor.ofStrings(new String[] {"a", "b"}, 2)).in(Tensor.ofStrings(new String[] {"z"}, 1)).run1();
        assertArrayEquals(new String[] {"a", "z"}, s.toStringArray());
    }

    @Test
    void comparisonsOnStringsUnsignedAndNaN() {
        Tensor a = Tensor.ofStrings(new String[] {"x", "y"}, 2), b = Tensor.ofStrings(new String[] {"x"}, 1);
        assertLongs(op("Equal").in(a).in(b).run1(), 1, 0);
        Tensor u = Tensor.fromLongs(DType.U64, new long[] {-1L, 1}, 2);
        assertLongs(op("Greater").in(u).in(Tensor.fromLongs(DType.U64, new long[] {1, 1}, 2)).run1(), 1, 0);
        assertLongs(op("LessOrEqual").in(f32(Float.NaN, 1)).in(f32(1, 1)).run1(), 0, 1);
        assertLongs(op("Equal").in(f32(Float.NaN)).in(f32(Float.NaN)).run1(), 0);
    }

    @Test
    void legacyBroadcastAlignsAtAxis() {
        Tensor a = Tensor.of(new float[6], 2, 3);
        Tensor b = f32(10, 20);
        Tensor y = op("Add").opset(6).attr("broadcast", 1L).attr("axis", 0L).in(a).in(b).run1();
        assertValues(y, 10, 10, 10, 20, 20, 20);
    }

    @Test
    void erfMatchesKnownValues() {
        double[] x = {0, 0.5, 1, 2, 2.5, 3, 4.5, -1, 7, 0.3, 0.75, 1.3, 2.2, 2.9, 3.7, 5.1, 5.9};
        double[] want = {0, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9995930479825550,
                0.9999779095030014, 0.9999999998033839, -0.8427007929497149, 1, 0.3286267594591274, 0.7111556336535151,
                0.9340079449406524, 0.9981371537020182, 0.9999589021219005, 0.9999998328489421, 0.9999999999994507,
                0.9999999999999999};
        for (int i = 0; i < x.length; i++) assertEquals(want[i], SpecialFunctions.erf(x[i]), 1e-14, "erf(" + x[i] + ")");
        assertTrue(Double.isNaN(SpecialFunctions.erf(Double.NaN)));
        // The tabulated fast path agrees with the exact evaluation everywhere, segment edges included.
        for (double v = -7; v <= 7; v += 1.0 / 64 + 1e-9)
            assertEquals(SpecialFunctions.erfExact(v), SpecialFunctions.erf(v), 5e-15, "erf(" + v + ")");
        for (int k = 1; k <= 12; k++) {
            double edge = k * 0.5;
            assertEquals(SpecialFunctions.erfExact(edge), SpecialFunctions.erf(edge), 5e-15);
            assertEquals(SpecialFunctions.erfExact(Math.nextDown(edge)), SpecialFunctions.erf(Math.nextDown(edge)), 5e-15);
        }
    }

    @Test
    void activationsAtHandCheckedPoints() {
        assertValues(op("Gelu").in(f32(1, -1)).run1(), 0.8413447460685429, -0.15865525393145707);
        assertValues(op("Gelu").attr("approximate", "tanh").in(f32(1)).run1(), 0.8411919906082768);
        assertValues(op("Selu").in(f32(-1, 2)).run1(), -1.1113307378125625, 2.1014020442843628);
        assertValues(op("HardSwish").in(f32(-4, 1, 4)).run1(), 0, 1 * (1 / 6.0 + 0.5), 4);
        assertValues(op("Softplus").in(f32(-100, 0, 100)).run1(), Math.exp(-100), Math.log(2), 100);
        assertValues(op("Sigmoid").in(f32(-1000, 0, 1000)).run1(), 0, 0.5, 1);
        assertValues(op("Shrink").attr("lambd", 1.5f).attr("bias", 1f).in(f32(-2, -1, 1, 2)).run1(), -1, 0, 0, 1);
        assertValues(op("ThresholdedRelu").attr("alpha", 2f).in(f32(2, 3)).run1(), 0, 3);
        assertValues(op("Celu").attr("alpha", 2f).in(f32(-2, 3)).run1(), 2 * Math.expm1(-1), 3);
        assertValues(op("Swish").attr("alpha", 2f).in(f32(1)).run1(), 1 / (1 + Math.exp(-2)));
        assertValues(op("PRelu").in(Tensor.of(new float[] {-1, -1, 2, -4}, 2, 2)).in(f32(0.5f, 0.25f)).run1(), -0.5, -0.25, 2, -1);
        assertLongs(op("Relu").in(of(DType.I8, -3, 4)).run1(), 0, 4);
    }

    @Test
    void bitCastReinterpretsBits() {
        Tensor y = op("BitCast").opset(26).attr("to", (long) DType.I32.onnxCode()).in(f32(1f, -2f)).run1();
        assertLongs(y, Float.floatToIntBits(1f), Float.floatToIntBits(-2f));
        Tensor u = op("BitCast").opset(26).attr("to", (long) DType.U8.onnxCode()).in(of(DType.I8, -1, 5)).run1();
        assertLongs(u, 255, 5);
        assertThrows(OpFailure.class, () -> op("BitCast").opset(26).attr("to", (long) DType.I64.onnxCode()).in(f32(1)).run1());
    }

    @Test
    void floatOnlyOpsRejectIntegersWithATypedError() {
        OpFailure e = assertThrows(OpFailure.class, () -> op("Exp").in(of(DType.I32, 1)).run1());
        assertTrue(e.getMessage().contains("floating-point"), e.getMessage());
        assertThrows(OpFailure.class, () -> op("Add").in(of(DType.I32, 1)).in(f32(1)).run1());
        assertThrows(RuntimeException.class, () -> op("Add").in(f32(1, 2)).in(f32(1, 2, 3)).run1());
    }

    @Test
    void variadicOpsFoldWithBroadcasting() {
        assertValues(op("Sum").in(f32(1, 2)).in(f32(10)).in(f32(100, 200)).run1(), 111, 212);
        assertValues(op("Mean").in(f32(1, 2)).in(f32(3, 6)).run1(), 2, 4);
        assertValues(op("Max").in(f32(1, Float.NaN)).in(f32(3)).run1(), 3, Double.NaN);
        assertLongs(op("Min").in(Tensor.fromLongs(DType.U64, new long[] {-1L, 2}, 2)).in(Tensor.fromLongs(DType.U64, new long[] {5}, 1)).run1(), 5, 2);
        assertValues(op("Max").in(f32(4, 5)).run1(), 4, 5);
    }
}
