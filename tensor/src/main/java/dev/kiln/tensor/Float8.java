package dev.kiln.tensor;

/**
 * Conversions between f32 and the narrow float formats of ONNX (float8 e4m3fn/e4m3fnuz/e5m2/e5m2fnuz/e8m0,
 * float4 e2m1). Bit patterns are held in the low bits of an int.
 */
public final class Float8 {
    private Float8() {}

    /** Decodes {@code bits} of {@code type} to f32. */
    public static float toFloat(DType type, int bits) {
        throw new UnsupportedOperationException("float8 decode for " + type + " not implemented");
    }

    /**
     * Encodes {@code f} as {@code type}, rounding to nearest even; {@code saturate} clamps out-of-range finite
     * values to the largest finite value (the ONNX default) instead of producing Inf/NaN.
     */
    public static int fromFloat(DType type, float f, boolean saturate) {
        throw new UnsupportedOperationException("float8 encode for " + type + " not implemented");
    }
}
