package dev.kiln.ops.math;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Float8;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.ValueLayout;

/**
 * Op family: Cast and CastLike between every pair of Kiln types. Float8 targets honour {@code saturate} and
 * float8e8m0 {@code round_mode}; sub-byte integer targets wrap like any narrowing integer cast; strings parse and
 * format as the ONNX spec describes.
 */
public final class CastOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("Cast").since(1, 6, 9, 13, 19, 21, 23, 24, 25).required("to", Attribute.Kind.INT)
                .attrInt("saturate", 1).attrString("round_mode", "up")
                .infer(ctx -> ctx.setOutputType(0, MathInfers.withDtype(ctx.inputType(0), toType(ctx.node().attribute("to")))))
                .kernel(ctx -> new Object[] {cast(ctx, ctx.input(0), toType(ctx.attr("to")))}).register(r);
        OpSchema.builder("CastLike").since(15, 19, 21, 23, 24, 25).attrInt("saturate", 1).attrString("round_mode", "up")
                .infer(ctx -> {
                    var t = ctx.inputType(1);
                    ctx.setOutputType(0, MathInfers.withDtype(ctx.inputType(0), dev.kiln.ops.Infers.dtypeOf(t)));
                })
                .kernel(ctx -> new Object[] {cast(ctx, ctx.input(0), ctx.input(1).dtype())}).register(r);
    }

    private static DType toType(Attribute a) {
        if (a == null) throw new dev.kiln.ops.OpFailure("Cast needs the 'to' attribute");
        return DType.fromOnnx((int) a.asInt());
    }

    private static Tensor cast(KernelContext ctx, Tensor x, DType to) {
        boolean saturate = ctx.attrInt("saturate") != 0;
        Float8.RoundMode mode = Float8.RoundMode.parse(ctx.attrString("round_mode"));
        try {
            return convert(x, to, saturate, mode);
        } catch (NumberFormatException e) {
            throw ctx.fail("cannot cast string to " + to + ": " + e.getMessage());
        }
    }

    /** Converts every element of {@code x} to {@code to}. */
    public static Tensor convert(Tensor x, DType to, boolean saturate, Float8.RoundMode mode) {
        DType from = x.dtype();
        if (from == to) return x.copy();
        Tensor out = Tensor.allocate(to, x.shape());
        long n = x.numel();
        if (to == DType.STRING) {
            for (long i = 0; i < n; i++) out.setString(i, format(x, i));
            return out;
        }
        if (from == DType.STRING) {
            for (long i = 0; i < n; i++) {
                String s = x.getString(i).strip();
                // f32 parses directly (one rounding from decimal); other widths go through double.
                if (to == DType.F32) out.setDouble(i, parseFloat(s));
                else if (to.isFloatingPoint()) storeFloat(out, i, parseDouble(s), to, saturate, mode);
                else if (to == DType.BOOL) out.setLong(i, parseDouble(s) != 0 ? 1 : 0);
                else out.writeLong(i, parseInteger(s, to));
            }
            return out;
        }
        boolean srcFloat = from.isFloatingPoint();
        for (long i = 0; i < n; i++) {
            if (to == DType.F32 && !srcFloat && from != DType.U64) {
                out.setDouble(i, (float) x.getLong(i));   // long -> float rounds once; via double it could round twice
            } else if (to.isFloatingPoint()) {
                storeFloat(out, i, x.getDouble(i), to, saturate, mode);
            } else if (to == DType.BOOL) {
                out.writeLong(i, srcFloat ? (x.getDouble(i) != 0 || Double.isNaN(x.getDouble(i)) ? 1 : 0) : (x.getLong(i) != 0 ? 1 : 0));
            } else if (srcFloat) {
                out.writeDouble(i, truncate(x.getDouble(i)));
            } else {
                out.writeLong(i, x.getLong(i));
            }
        }
        return out;
    }

    private static double truncate(double v) {
        return Double.isNaN(v) ? 0 : v < 0 ? Math.ceil(v) : Math.floor(v);
    }

    /** Stores a real value into float-typed {@code out} at dense index {@code i}, rounding once to the target. */
    static void storeFloat(Tensor out, long i, double v, DType to, boolean saturate, Float8.RoundMode mode) {
        switch (to) {
            case F64 -> out.writeDouble(i, v);
            case F32 -> out.writeDouble(i, v);
            case F16, BF16 -> out.writeDouble(i, roundToOddFloat(v));
            case F8E8M0 -> out.segment().set(ValueLayout.JAVA_BYTE, i, (byte) Float8.toE8M0(roundToOddFloat(v), saturate, mode));
            default -> out.segment().set(ValueLayout.JAVA_BYTE, i, (byte) Float8.fromFloat(to, roundToOddFloat(v), saturate));
        }
    }

    /**
     * double to float with round-to-odd: an inexact result keeps an odd last bit, so a later round-to-nearest-even
     * into a format of at most 22 significant bits (f16, bf16, float8) gives the same answer as rounding the double
     * directly, avoiding double-rounding errors.
     */
    static float roundToOddFloat(double v) {
        float f = (float) v;
        if ((double) f == v || Float.isNaN(f) || Float.isInfinite(f)) return f;
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 1) == 0) {
            // Move one ulp towards v: (float) v rounded to even, so stepping towards v makes it odd and truncated.
            f = Math.abs((double) f) > Math.abs(v) ? Float.intBitsToFloat(bits - 1) : Float.intBitsToFloat(bits + 1);
        }
        return f;
    }

    static double parseDouble(String s) {
        String l = s.toLowerCase(java.util.Locale.ROOT);
        return switch (l) {
            case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            case "nan", "+nan", "-nan" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    static float parseFloat(String s) {
        double special = switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "inf", "+inf", "infinity", "+infinity", "-inf", "-infinity", "nan", "+nan", "-nan" -> parseDouble(s);
            default -> 0;
        };
        return special != 0 || Double.isNaN(special) ? (float) special : Float.parseFloat(s);
    }

    static long parseInteger(String s, DType to) {
        try {
            if (to == DType.U64) return Long.parseUnsignedLong(s.startsWith("+") ? s.substring(1) : s);
            return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
        } catch (NumberFormatException e) {
            return (long) truncate(parseDouble(s));
        }
    }

    /** numpy-style text: shortest round-trip digits, positional for 1e-4 <= |x| < 1e16, else d.ddde+XX. */
    static String format(Tensor x, long i) {
        DType t = x.dtype();
        if (t == DType.BOOL) return x.getLong(i) != 0 ? "True" : "False";
        if (t == DType.U64) return Long.toUnsignedString(x.getLong(i));
        if (!t.isFloatingPoint()) return Long.toString(x.getLong(i));
        double v = x.getDouble(i);
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        String digits = t == DType.F64 ? Double.toString(v) : t == DType.F32 ? Float.toString((float) v) : shortestNarrow(t, v);
        return numpyStyle(digits, v);
    }

    /**
     * Shortest decimal that reads back as the same value of a narrow float type (f16, bf16, float8), as numpy
     * prints float16: Float.toString would show the f32 expansion (0.1 in f16 is 0.099975586 in f32).
     */
    static String shortestNarrow(DType t, double v) {
        java.math.BigDecimal exact = new java.math.BigDecimal(v);
        for (int p = 1; p < 17; p++) {
            java.math.BigDecimal d = exact.round(new java.math.MathContext(p, java.math.RoundingMode.HALF_EVEN));
            Tensor probe = Tensor.allocate(t, dev.kiln.tensor.Shape.SCALAR);
            storeFloat(probe, 0, d.doubleValue(), t, true, Float8.RoundMode.NEAREST);
            if (probe.getDouble(0) == v) return d.toString();
        }
        return Double.toString(v);
    }

    /** Rewrites Java's shortest representation ({@code 1.0E10}) in numpy's style ({@code 1e+10}). */
    static String numpyStyle(String java, double v) {
        java.math.BigDecimal d = new java.math.BigDecimal(java);
        double a = Math.abs(v);
        if (a == 0 || (a >= 1e-4 && a < 1e16)) {
            String p = d.toPlainString();
            if (!p.contains(".")) p += ".0";
            if (p.contains(".")) {
                p = p.replaceAll("0+$", "");
                if (p.endsWith(".")) p += "0";
            }
            if (v == 0 && 1 / v < 0) p = "-0.0";
            return p;
        }
        java.math.BigDecimal u = d.stripTrailingZeros();
        String unscaled = u.unscaledValue().abs().toString();
        int exp = unscaled.length() - 1 - u.scale();
        String mant = unscaled.length() == 1 ? unscaled : unscaled.charAt(0) + "." + unscaled.substring(1);
        return (v < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
}
