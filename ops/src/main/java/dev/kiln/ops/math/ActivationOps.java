package dev.kiln.ops.math;

import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.function.DoubleUnaryOperator;

/** Op family: activation functions, PRelu and Clip. Attributes are read as f32, exactly as ONNX stores them. */
public final class ActivationOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("Relu").since(1, 6, 13, 14).infer(Infers.SAME_AS_INPUT0).kernel(ctx -> {
            Tensor x = ElementwiseOps.numericInput(ctx, 0);
            return new Object[] {x.dtype().isFloatingPoint()
                    ? Elementwise.mapDouble(x, x.dtype(), v -> v < 0 ? 0 : v)
                    : Elementwise.mapLong(x, x.dtype(), v -> x.dtype() != DType.U64 && v < 0 ? 0 : v)};
        }).register(r);
        param(r, "LeakyRelu", ctx -> { double a = ctx.attrFloat("alpha"); return x -> x < 0 ? a * x : x; },
                new String[] {"alpha"}, new float[] {0.01f}, 1, 6, 16);
        param(r, "Elu", ctx -> { double a = ctx.attrFloat("alpha"); return x -> x < 0 ? a * Math.expm1(x) : x; },
                new String[] {"alpha"}, new float[] {1f}, 1, 6, 22);
        param(r, "Selu", ctx -> {
            double a = ctx.attrFloat("alpha"), g = ctx.attrFloat("gamma");
            return x -> x <= 0 ? g * (a * Math.exp(x) - a) : g * x;
        }, new String[] {"alpha", "gamma"}, new float[] {1.67326319217681884765625f, 1.05070102214813232421875f}, 1, 6, 22);
        param(r, "Celu", ctx -> {
            double a = ctx.attrFloat("alpha");
            return x -> Math.max(0, x) + Math.min(0, a * Math.expm1(x / a));
        }, new String[] {"alpha"}, new float[] {1f}, 12);
        param(r, "Sigmoid", ctx -> ActivationOps::sigmoid, new String[0], new float[0], 1, 6, 13);
        param(r, "HardSigmoid", ctx -> {
            double a = ctx.attrFloat("alpha"), b = ctx.attrFloat("beta");
            return x -> Math.max(0, Math.min(1, a * x + b));
        }, new String[] {"alpha", "beta"}, new float[] {0.2f, 0.5f}, 1, 6, 22);
        param(r, "HardSwish", ctx -> x -> x * Math.max(0, Math.min(1, x / 6 + 0.5)), new String[0], new float[0], 14, 22);
        param(r, "Softplus", ctx -> ActivationOps::softplus, new String[0], new float[0], 1, 22);
        param(r, "Softsign", ctx -> x -> x / (1 + Math.abs(x)), new String[0], new float[0], 1, 22);
        param(r, "Mish", ctx -> x -> x * Math.tanh(softplus(x)), new String[0], new float[0], 18, 22);
        param(r, "Swish", ctx -> { double a = ctx.attrFloat("alpha"); return x -> x * sigmoid(a * x); },
                new String[] {"alpha"}, new float[] {1f}, 24);
        param(r, "ThresholdedRelu", ctx -> { double a = ctx.attrFloat("alpha"); return x -> x > a ? x : 0; },
                new String[] {"alpha"}, new float[] {1f}, 10, 22);

        OpSchema.builder("Gelu").since(20).attrString("approximate", "none").infer(Infers.SAME_AS_INPUT0).kernel(ctx -> {
            Tensor x = ElementwiseOps.floatInput(ctx, 0);
            String approx = ctx.attrString("approximate");
            DoubleUnaryOperator f = switch (approx) {
                case "none" -> v -> 0.5 * v * (1 + SpecialFunctions.erf(v / Math.sqrt(2)));
                case "tanh" -> v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                default -> throw ctx.fail("approximate must be 'none' or 'tanh', got '" + approx + "'");
            };
            return new Object[] {Elementwise.mapDouble(x, x.dtype(), f)};
        }).register(r);

        OpSchema.builder("Shrink").since(9).attrFloat("bias", 0f).attrFloat("lambd", 0.5f).infer(Infers.SAME_AS_INPUT0).kernel(ctx -> {
            Tensor x = ElementwiseOps.numericInput(ctx, 0);
            double bias = ctx.attrFloat("bias"), lambd = ctx.attrFloat("lambd");
            // Integer inputs compute in double and truncate on store, as the reference's float arithmetic does.
            return new Object[] {Elementwise.mapDouble(x, x.dtype(), v -> v < -lambd ? v + bias : v > lambd ? v - bias : 0)};
        }).register(r);

        OpSchema.builder("PRelu").since(1, 6, 7, 9, 16).infer(Infers.SAME_AS_INPUT0).kernel(ctx -> {
            Tensor x = ElementwiseOps.numericInput(ctx, 0), slope = ElementwiseOps.numericInput(ctx, 1);
            if (!slope.shape().broadcastableTo(x.shape()))
                throw ctx.fail("slope " + slope.shape() + " must broadcast to X " + x.shape());
            DType t = x.dtype();
            return new Object[] {t.isFloatingPoint()
                    ? Elementwise.zipDouble(x, slope, t, (v, s) -> v < 0 ? s * v : v)
                    : Elementwise.zipLong(x, slope, t, (v, s) -> v < 0 ? s * v : v)};
        }).register(r);

        OpSchema.builder("Clip").since(1, 6, 11, 12, 13).attrFloat("min", -Float.MAX_VALUE).attrFloat("max", Float.MAX_VALUE)
                .infer(Infers.SAME_AS_INPUT0).kernel(ActivationOps::clip).register(r);
    }

    static double sigmoid(double x) {
        if (x >= 0) return 1 / (1 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1 + e);
    }

    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** min/max come from attributes before opset 11 and from optional scalar inputs after; when min > max, all become max. */
    private static Object[] clip(KernelContext ctx) {
        Tensor x = ElementwiseOps.numericInput(ctx, 0);
        DType t = x.dtype();
        if (ctx.opsetVersion() < 11) {
            double lo = ctx.attrFloat("min"), hi = ctx.attrFloat("max");
            return new Object[] {Elementwise.mapDouble(x, t, v -> clampD(v, lo, hi))};
        }
        Tensor minT = ctx.optionalInput(1), maxT = ctx.optionalInput(2);
        for (Tensor b : new Tensor[] {minT, maxT})
            if (b != null && b.numel() != 1) throw ctx.fail("min and max must be scalars, got shape " + b.shape());
        if (t.isFloatingPoint()) {
            double lo = minT == null ? Double.NEGATIVE_INFINITY : minT.getDouble(0);
            double hi = maxT == null ? Double.POSITIVE_INFINITY : maxT.getDouble(0);
            return new Object[] {Elementwise.mapDouble(x, t, v -> clampD(v, lo, hi))};
        }
        boolean u64 = t == DType.U64;
        long lo = minT == null ? (u64 ? 0 : Long.MIN_VALUE) : minT.getLong(0);
        long hi = maxT == null ? (u64 ? -1L : Long.MAX_VALUE) : maxT.getLong(0);
        if (u64) return new Object[] {Elementwise.mapLong(x, t, v -> {
            long c = Long.compareUnsigned(v, lo) < 0 ? lo : v;
            return Long.compareUnsigned(c, hi) > 0 ? hi : c;
        })};
        return new Object[] {Elementwise.mapLong(x, t, v -> Math.min(Math.max(v, lo), hi))};
    }

    private static double clampD(double v, double lo, double hi) {
        if (Double.isNaN(v)) return v;
        return Math.min(Math.max(v, lo), hi);
    }

    /** A provider of the per-element function, built once per node execution from its attributes. */
    interface Fn { DoubleUnaryOperator make(KernelContext ctx); }

    private static void param(OpRegistry r, String op, Fn fn, String[] names, float[] defaults, int... since) {
        OpSchema.Builder b = OpSchema.builder(op).since(since).infer(Infers.SAME_AS_INPUT0);
        for (int i = 0; i < names.length; i++) b.attrFloat(names[i], defaults[i]);
        b.kernel(ctx -> {
            Tensor x = ElementwiseOps.floatInput(ctx, 0);
            return new Object[] {Elementwise.mapDouble(x, x.dtype(), fn.make(ctx))};
        }).register(r);
    }
}
