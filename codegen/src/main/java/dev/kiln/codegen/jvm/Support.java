package dev.kiln.codegen.jvm;

import dev.kiln.ops.fused.FusedElementwiseProgram;
import dev.kiln.ops.fused.FusedElementwiseProgram.Op;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Static helpers that generated scalar code calls (C2 inlines them). Each one matches the reference op exactly:
 * computed in double, rounded to f32 once.
 */
public final class Support {
    private Support() {}

    /** Little-endian f32, unaligned: the layout of every Kiln f32 tensor. A static final, so C2 folds it. */
    public static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static float pow(float a, float b) { return (float) Math.pow(a, b); }
    public static float max(float a, float b) { return Math.max(a, b); }
    public static float min(float a, float b) { return Math.min(a, b); }
    public static float abs(float a) { return Math.abs(a); }
    public static float sqrt(float a) { return (float) Math.sqrt(a); }
    public static float exp(float a) { return (float) Math.exp(a); }
    public static float log(float a) { return (float) Math.log(a); }
    public static float tanh(float a) { return (float) Math.tanh(a); }
    public static float sin(float a) { return (float) Math.sin(a); }
    public static float cos(float a) { return (float) Math.cos(a); }
    public static float recip(float a) { return (float) (1.0 / a); }
    public static float relu(float a) { return a < 0 ? 0f : a; }
    public static float sigmoid(float a) { return (float) FusedElementwiseProgram.apply(Op.SIGMOID, a, 0); }
    public static float erf(float a) { return (float) FusedElementwiseProgram.apply(Op.ERF, a, 0); }
    public static float floor(float a) { return (float) Math.floor(a); }
    public static float ceil(float a) { return (float) Math.ceil(a); }
    public static int lt(float a, float b) { return a < b ? 1 : 0; }
    public static int le(float a, float b) { return a <= b ? 1 : 0; }
    public static int gt(float a, float b) { return a > b ? 1 : 0; }
    public static int ge(float a, float b) { return a >= b ? 1 : 0; }
    public static int eq(float a, float b) { return a == b ? 1 : 0; }
    public static float where(int c, float a, float b) { return c != 0 ? a : b; }
}
