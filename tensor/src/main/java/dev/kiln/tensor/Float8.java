package dev.kiln.tensor;

/**
 * Conversions between f32 and the narrow float formats of ONNX (float8 e4m3fn/e4m3fnuz/e5m2/e5m2fnuz/e8m0,
 * float4 e2m1). Bit patterns are held in the low bits of an int.
 *
 * <p>Encoding rounds to nearest, ties to even, in one step from the f32 value (scaling by powers of two is exact in
 * double, so {@link Math#rint} on the scaled value is the exact RNE). Out-of-range handling follows the ONNX Cast
 * table: with saturation, values (infinities included) beyond the largest finite value clamp to it; without, they
 * become Inf where the format has one (e5m2) and NaN otherwise. The "uz" formats have no negative zero: -0 encodes
 * as +0 and 0x80 is their only NaN. float4e2m1 has neither Inf nor NaN and always saturates; NaN maps to 0x8, as the
 * ONNX reference data does. float8e8m0 is an unsigned power of two (2^(e-127), 0xFF is NaN); see
 * {@link #toE8M0}.
 */
public final class Float8 {
    private Float8() {}

    /** Decode tables, one per format, built from the format parameters at class load. */
    private static final float[] E4M3FN = table(DType.F8E4M3FN);
    private static final float[] E4M3FNUZ = table(DType.F8E4M3FNUZ);
    private static final float[] E5M2 = table(DType.F8E5M2);
    private static final float[] E5M2FNUZ = table(DType.F8E5M2FNUZ);
    private static final float[] E8M0 = table(DType.F8E8M0);
    private static final float[] E2M1 = table(DType.F4E2M1);

    /** Decodes {@code bits} of {@code type} to f32. */
    public static float toFloat(DType type, int bits) {
        int b = bits & 0xFF;
        return switch (type) {
            case F8E4M3FN -> E4M3FN[b];
            case F8E4M3FNUZ -> E4M3FNUZ[b];
            case F8E5M2 -> E5M2[b];
            case F8E5M2FNUZ -> E5M2FNUZ[b];
            case F8E8M0 -> E8M0[b];
            case F4E2M1 -> E2M1[b & 0xF];
            default -> throw new IllegalArgumentException(type + " is not a narrow float type");
        };
    }

    /**
     * Encodes {@code f} as {@code type}, rounding to nearest even; {@code saturate} clamps out-of-range finite
     * values to the largest finite value (the ONNX default) instead of producing Inf/NaN.
     */
    public static int fromFloat(DType type, float f, boolean saturate) {
        return switch (type) {
            case F8E4M3FN -> encode(f, 4, 3, 7, false, false, saturate);
            case F8E4M3FNUZ -> encode(f, 4, 3, 8, false, true, saturate);
            case F8E5M2 -> encode(f, 5, 2, 15, true, false, saturate);
            case F8E5M2FNUZ -> encode(f, 5, 2, 16, false, true, saturate);
            case F4E2M1 -> encodeE2M1(f);
            case F8E8M0 -> toE8M0(f, saturate, RoundMode.UP);
            default -> throw new IllegalArgumentException(type + " is not a narrow float type");
        };
    }

    /** Rounding of float8e8m0 conversion (ONNX Cast {@code round_mode}). */
    public enum RoundMode {
        /** Any dropped mantissa bit rounds up to the next power of two (the ONNX default). */
        UP,
        /** Drops the mantissa (towards zero). */
        DOWN,
        /** Nearest power of two by the first dropped bit; ties round up. */
        NEAREST;

        public static RoundMode parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "up" -> UP;
                case "down" -> DOWN;
                case "nearest" -> NEAREST;
                default -> throw new IllegalArgumentException("unknown round_mode '" + s + "' (expected up, down or nearest)");
            };
        }
    }

    /**
     * Encodes {@code f} as float8e8m0: the sign is dropped, the f32 exponent field is kept and adjusted by the
     * rounding mode; NaN is 0xFF. Infinity and overflow past 2^127 give 0xFE when saturating, else 0xFF.
     */
    public static int toE8M0(float f, boolean saturate, RoundMode mode) {
        if (Float.isNaN(f)) return 0xFF;
        int x = Float.floatToRawIntBits(f) & 0x7FFFFFFF;
        int e = x >>> 23, m = x & 0x7FFFFF;
        if (e == 0xFF) return saturate ? 0xFE : 0xFF;
        boolean roundUp = switch (mode) {
            case UP -> m != 0;
            case DOWN -> false;
            case NEAREST -> (m & 0x400000) != 0;
        };
        if (roundUp) e++;
        if (e >= 0xFF) return saturate ? 0xFE : 0xFF;
        return e;
    }

    private static int encode(float f, int expBits, int manBits, int bias, boolean hasInf, boolean uz, boolean saturate) {
        int sign = Float.floatToRawIntBits(f) < 0 ? 0x80 : 0;
        int maxExpField = (1 << expBits) - 1;
        // Largest finite: IEEE-like (e5m2) reserves the top exponent; e4m3fn reserves only mantissa all-ones there.
        int maxBits = hasInf ? ((maxExpField - 1) << manBits) | ((1 << manBits) - 1)
                : uz ? (maxExpField << manBits) | ((1 << manBits) - 1)
                : (maxExpField << manBits) | ((1 << manBits) - 2);
        // NaN encodings as the ONNX reference data has them: e5m2 uses its quiet NaN 0x7E.
        int nan = uz ? 0x80 : hasInf ? sign | 0x7E : sign | 0x7F;
        int overflow = saturate ? sign | maxBits : hasInf ? sign | (maxExpField << manBits) : nan;
        if (Float.isNaN(f)) return nan;
        double a = Math.abs((double) f);
        if (Double.isInfinite(a)) return overflow;
        double max = decode(maxBits, expBits, manBits, bias, hasInf, uz);
        int minNormalExp = 1 - bias;
        int e = a == 0 ? minNormalExp : Math.max(Math.getExponent(a), minNormalExp);
        double quantum = Math.scalb(1.0, e - manBits);
        double r = Math.rint(a / quantum) * quantum;
        if (r > max) return overflow;
        if (r == 0) return uz ? 0 : sign;
        int re = Math.getExponent(r);
        int bits;
        if (re < minNormalExp) {
            bits = (int) (r / Math.scalb(1.0, minNormalExp - manBits));
        } else {
            int man = (int) (r / Math.scalb(1.0, re - manBits)) - (1 << manBits);
            bits = ((re + bias) << manBits) | man;
        }
        return sign | bits;
    }

    private static int encodeE2M1(float f) {
        if (Float.isNaN(f)) return 0x8;
        int sign = Float.floatToRawIntBits(f) < 0 ? 0x8 : 0;
        double a = Math.abs((double) f);
        if (a >= 6) return sign | 0x7;
        int e = a == 0 ? 0 : Math.max(Math.getExponent(a), 0);
        double quantum = Math.scalb(1.0, e - 1);
        double r = Math.rint(a / quantum) * quantum;
        if (r > 6) return sign | 0x7;
        if (r == 0) return sign;
        int re = Math.getExponent(r);
        int bits = re < 0 ? 1 : ((re + 1) << 1) | ((int) (r / Math.scalb(1.0, re - 1)) - 2);
        return sign | bits;
    }

    /** The value of a bit pattern of a sign/exponent/mantissa format, with the ONNX special encodings. */
    private static double decode(int bits, int expBits, int manBits, int bias, boolean hasInf, boolean uz) {
        int signBit = 1 << (expBits + manBits);
        int e = (bits >>> manBits) & ((1 << expBits) - 1);
        int m = bits & ((1 << manBits) - 1);
        boolean neg = (bits & signBit) != 0;
        if (uz && bits == signBit) return Double.NaN;
        int maxExp = (1 << expBits) - 1;
        if (hasInf && e == maxExp) return m == 0 ? (neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : Double.NaN;
        if (!hasInf && !uz && expBits + manBits == 7 && e == maxExp && m == (1 << manBits) - 1) return Double.NaN;
        double v = e == 0 ? Math.scalb((double) m, 1 - bias - manBits)
                : Math.scalb((double) ((1 << manBits) | m), e - bias - manBits);
        return neg ? -v : v;
    }

    private static float[] table(DType t) {
        int n = t == DType.F4E2M1 ? 16 : 256;
        float[] out = new float[n];
        for (int b = 0; b < n; b++) {
            out[b] = (float) switch (t) {
                case F8E4M3FN -> decode(b, 4, 3, 7, false, false);
                case F8E4M3FNUZ -> decode(b, 4, 3, 8, false, true);
                case F8E5M2 -> decode(b, 5, 2, 15, true, false);
                case F8E5M2FNUZ -> decode(b, 5, 2, 16, false, true);
                case F4E2M1 -> decode(b, 2, 1, 1, false, false) ;
                case F8E8M0 -> b == 0xFF ? Double.NaN : Math.scalb(1.0, b - 127);
                default -> throw new IllegalArgumentException(t.toString());
            };
        }
        return out;
    }
}
