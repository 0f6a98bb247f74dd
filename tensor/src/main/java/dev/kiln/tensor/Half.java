package dev.kiln.tensor;

/**
 * bfloat16 conversions (f16 uses the JDK's {@code Float.float16ToFloat}/{@code floatToFloat16}).
 * Round to nearest, ties to even; NaN stays NaN (quiet), infinities and subnormals are exact.
 */
public final class Half {
    private Half() {}

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    public static short floatToBf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if ((x & 0x7F800000) == 0x7F800000 && (x & 0x007FFFFF) != 0) {
            return (short) ((x >>> 16) | 0x0040);   // keep sign, force a quiet NaN
        }
        int lsb = (x >>> 16) & 1;
        int rounded = x + 0x7FFF + lsb;
        return (short) (rounded >>> 16);
    }

    public static float f16ToFloat(short bits) { return Float.float16ToFloat(bits); }
    public static short floatToF16(float f) { return Float.floatToFloat16(f); }
}
