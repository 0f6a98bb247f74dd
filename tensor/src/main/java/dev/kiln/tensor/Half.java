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

    /** double to f16, rounded once to nearest even (a plain {@code (float)} cast first would round twice). */
    public static short doubleToF16(double d) { return Float.floatToFloat16(toFloatRoundToOdd(d)); }

    /** double to bf16, rounded once to nearest even. */
    public static short doubleToBf16(double d) { return floatToBf16(toFloatRoundToOdd(d)); }

    /**
     * Narrows a double to float with round-to-odd: inexact results get their last mantissa bit set. A float keeps
     * 24 significant bits, more than two beyond any narrower format's (f16 11, bf16 8, float8 <= 4), and rounding
     * such an intermediate to the narrow format then gives exactly the directly rounded result, so
     * {@code double -> float -> narrow} rounds once in effect. (Plain (float) can create a fake tie:
     * 1 + 2^-11 + 2^-40 becomes 1 + 2^-11, which f16 then rounds down to 1 instead of up.)
     */
    public static float toFloatRoundToOdd(double d) {
        float f = (float) d;
        if (Double.isNaN(d) || (double) f == d) return f;
        int bits = Float.floatToRawIntBits(f);
        // (float) rounded to nearest; step back to the value truncated toward zero (also turns an overflow to
        // infinity back into MAX_VALUE), then mark it inexact with the sticky odd bit.
        if (Math.abs((double) f) > Math.abs(d)) bits -= 1;
        return Float.intBitsToFloat(bits | 1);
    }
}
