package dev.kiln.ops.math;

import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Op family: unary math and binary/variadic arithmetic with numpy broadcasting. Activations, logic/bitwise ops
 * and Where live in sibling files registered from here ({@link ActivationOps}, {@link LogicOps}).
 */
public final class ElementwiseOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        // Float-only unary math.
        unaryFloat(r, "Acos", Math::acos, 7, 22);
        unaryFloat(r, "Asin", Math::asin, 7, 22);
        unaryFloat(r, "Atan", Math::atan, 7, 22);
        unaryFloat(r, "Cos", Math::cos, 7, 22);
        unaryFloat(r, "Sin", Math::sin, 7, 22);
        unaryFloat(r, "Tan", Math::tan, 7, 22);
        unaryFloat(r, "Acosh", x -> Math.log(x + Math.sqrt(x * x - 1)), 9, 22);
        unaryFloat(r, "Asinh", ElementwiseOps::asinh, 9, 22);
        unaryFloat(r, "Atanh", x -> 0.5 * Math.log((1 + x) / (1 - x)), 9, 22);
        unaryFloat(r, "Cosh", Math::cosh, 9, 22);
        unaryFloat(r, "Sinh", Math::sinh, 9, 22);
        unaryFloat(r, "Tanh", Math::tanh, 1, 6, 13);
        unaryFloat(r, "Ceil", Math::ceil, 1, 6, 13);
        unaryFloat(r, "Floor", Math::floor, 1, 6, 13);
        unaryFloat(r, "Round", Math::rint, 11, 22);   // half to even, as numpy.round
        unaryFloat(r, "Erf", SpecialFunctions::erf, 9, 13);
        unaryFloat(r, "Exp", Math::exp, 1, 6, 13);
        unaryFloat(r, "Log", Math::log, 1, 6, 13);
        unaryFloat(r, "Sqrt", Math::sqrt, 1, 6, 13);
        unaryFloat(r, "Reciprocal", x -> 1.0 / x, 1, 6, 13);

        // Unary ops over every numeric type.
        unaryNumeric(r, "Abs", Math::abs, t -> t.isSigned() ? Math::abs : v -> v, 1, 6, 13);
        unaryNumeric(r, "Neg", x -> -x, t -> v -> -v, 1, 6, 13);
        unaryNumeric(r, "Sign", Math::signum, t -> t == DType.U64 ? v -> v == 0 ? 0 : 1 : Long::signum, 9, 13);

        OpSchema.builder("IsNaN").since(9, 13, 20).infer(MathInfers.sameShape(DType.BOOL))
                .kernel(ctx -> {
                    Tensor x = floatInput(ctx, 0);
                    return new Object[] {Elementwise.mapDoubleToLong(x, DType.BOOL, v -> Double.isNaN(v) ? 1 : 0)};
                }).register(r);
        OpSchema.builder("IsInf").since(10, 20).attrInt("detect_negative", 1).attrInt("detect_positive", 1)
                .infer(MathInfers.sameShape(DType.BOOL))
                .kernel(ctx -> {
                    Tensor x = floatInput(ctx, 0);
                    boolean neg = ctx.attrInt("detect_negative") != 0, pos = ctx.attrInt("detect_positive") != 0;
                    return new Object[] {Elementwise.mapDoubleToLong(x, DType.BOOL,
                            v -> (v == Double.POSITIVE_INFINITY && pos) || (v == Double.NEGATIVE_INFINITY && neg) ? 1 : 0)};
                }).register(r);

        Arithmetic.register(r);
        new ActivationOps().register(r);
        new LogicOps().register(r);
    }

    private static double asinh(double x) {
        double a = Math.abs(x);
        double v = a > 1e8 ? Math.log(a) + Math.log(2) : Math.log(a + Math.sqrt(a * a + 1));
        return Math.copySign(v, x);
    }

    /** The input, which must have a floating-point type. */
    static Tensor floatInput(KernelContext ctx, int i) {
        Tensor x = ctx.input(i);
        if (!x.dtype().isFloatingPoint())
            throw ctx.fail("input " + i + " must be a floating-point tensor, got " + x.dtype());
        return x;
    }

    /** A numeric (not string) input. */
    static Tensor numericInput(KernelContext ctx, int i) {
        Tensor x = ctx.input(i);
        if (!x.dtype().isNumeric()) throw ctx.fail("input " + i + " must be numeric, got " + x.dtype());
        return x;
    }

    static void unaryFloat(OpRegistry r, String op, DoubleUnaryOperator f, int... since) {
        OpSchema.builder(op).since(since).infer(Infers.SAME_AS_INPUT0).kernel(ctx -> {
            Tensor x = floatInput(ctx, 0);
            return new Object[] {Elementwise.mapDouble(x, x.dtype(), f)};
        }).register(r);
    }

    /** An integer implementation chosen per input dtype (signedness matters for some ops). */
    interface IntImpl { LongUnaryOperator forType(DType t); }

    static void unaryNumeric(OpRegistry r, String op, DoubleUnaryOperator f, IntImpl fi, int... since) {
        OpSchema.builder(op).since(since).infer(Infers.SAME_AS_INPUT0).kernel(ctx -> {
            Tensor x = numericInput(ctx, 0);
            DType t = x.dtype();
            return new Object[] {t.isFloatingPoint() ? Elementwise.mapDouble(x, t, f) : Elementwise.mapLong(x, t, fi.forType(t))};
        }).register(r);
    }
}
