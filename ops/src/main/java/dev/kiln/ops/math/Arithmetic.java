package dev.kiln.ops.math;

import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.Arrays;

/** Binary and variadic arithmetic with numpy broadcasting: Add Sub Mul Div Pow Mod Max Min Sum Mean. */
final class Arithmetic {
    private Arithmetic() {}

    /** Integer implementation chosen per dtype (unsigned 64-bit needs unsigned division and comparison). */
    interface IntImpl { Elementwise.LL forType(DType t); }

    static void register(OpRegistry r) {
        binary(r, "Add", Double::sum, t -> Long::sum, 1, 6, 7, 13, 14);
        binary(r, "Sub", (a, b) -> a - b, t -> (a, b) -> a - b, 1, 6, 7, 13, 14);
        binary(r, "Mul", (a, b) -> a * b, t -> (a, b) -> a * b, 1, 6, 7, 13, 14);
        binary(r, "Div", (a, b) -> a / b, t -> t == DType.U64
                ? (a, b) -> b == 0 ? 0 : Long.divideUnsigned(a, b)
                : (a, b) -> b == 0 ? 0 : a / b, 1, 6, 7, 13, 14);

        OpSchema.builder("Pow").since(1, 7, 12, 13, 15).attrInt("broadcast", 0).infer(Infers.BROADCAST).kernel(ctx -> {
            Tensor a = ElementwiseOps.numericInput(ctx, 0), b = legacy(ctx, a, ElementwiseOps.numericInput(ctx, 1));
            DType t = a.dtype();
            if (t.isFloatingPoint() || b.dtype().isFloatingPoint())
                return new Object[] {Elementwise.zipDouble(a, b, t, Math::pow)};
            return new Object[] {Elementwise.zipLong(a, b, t, Arithmetic::ipow)};
        }).register(r);

        OpSchema.builder("Mod").since(10, 13).attrInt("fmod", 0).infer(Infers.BROADCAST).kernel(ctx -> {
            Tensor a = ElementwiseOps.numericInput(ctx, 0), b = ElementwiseOps.numericInput(ctx, 1);
            sameType(ctx, a, b);
            boolean fmod = ctx.attrInt("fmod") != 0;
            DType t = a.dtype();
            if (t.isFloatingPoint())
                return new Object[] {Elementwise.zipDouble(a, b, t, fmod ? (x, y) -> x % y : Arithmetic::pyMod)};
            Elementwise.LL f = t == DType.U64 ? (x, y) -> y == 0 ? 0 : Long.remainderUnsigned(x, y)
                    : fmod ? (x, y) -> y == 0 ? 0 : x % y
                    : (x, y) -> y == 0 ? 0 : Math.floorMod(x, y);
            return new Object[] {Elementwise.zipLong(a, b, t, f)};
        }).register(r);

        variadic(r, "Max", Math::max, t -> t == DType.U64 ? (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b : Math::max, false, 1, 6, 8, 12, 13);
        variadic(r, "Min", Math::min, t -> t == DType.U64 ? (a, b) -> Long.compareUnsigned(a, b) <= 0 ? a : b : Math::min, false, 1, 6, 8, 12, 13);
        variadic(r, "Sum", Double::sum, t -> Long::sum, false, 1, 6, 8, 13);
        variadic(r, "Mean", Double::sum, t -> Long::sum, true, 1, 6, 8, 13);
    }

    /** Python/numpy modulo: the result takes the divisor's sign. */
    static double pyMod(double a, double b) {
        double m = a % b;
        if (m != 0 && (m < 0) != (b < 0)) m += b;
        return m;
    }

    /** Integer power with wrapping; negative exponents give the truncated real result (0 unless |base| is 1). */
    static long ipow(long base, long exp) {
        if (exp < 0) {
            if (base == 1) return 1;
            if (base == -1) return (exp & 1) == 0 ? 1 : -1;
            return 0;
        }
        long result = 1;
        while (exp > 0) {
            if ((exp & 1) != 0) result *= base;
            base *= base;
            exp >>= 1;
        }
        return result;
    }

    static void sameType(KernelContext ctx, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype())
            throw ctx.fail("inputs must have the same type, got " + a.dtype() + " and " + b.dtype());
    }

    static void binary(OpRegistry r, String op, Elementwise.DD fd, IntImpl fi, int... since) {
        OpSchema.builder(op).since(since).attrInt("broadcast", 0).infer(Infers.BROADCAST).kernel(ctx -> {
            Tensor a = ElementwiseOps.numericInput(ctx, 0), b = legacy(ctx, a, ElementwiseOps.numericInput(ctx, 1));
            sameType(ctx, a, b);
            DType t = a.dtype();
            return new Object[] {t.isFloatingPoint() ? Elementwise.zipDouble(a, b, t, fd) : Elementwise.zipLong(a, b, t, fi.forType(t))};
        }).register(r);
    }

    /**
     * Opsets before 7 broadcast only with {@code broadcast=1}, aligning B at {@code axis} of A instead of at the
     * trailing axes; this reshapes B so that numpy broadcasting gives the legacy result.
     */
    static Tensor legacy(KernelContext ctx, Tensor a, Tensor b) {
        if (ctx.opsetVersion() >= 7 || ctx.attrInt("broadcast") == 0 || !ctx.hasAttr("axis")) return b;
        int axis = (int) ctx.attrInt("axis");
        if (axis < 0) axis += a.rank();
        int trailing = a.rank() - axis - b.rank();
        if (trailing <= 0) return b;
        long[] dims = Arrays.copyOf(b.shape().dims(), b.rank() + trailing);
        Arrays.fill(dims, b.rank(), dims.length, 1);
        return b.reshape(dims);
    }

    static void variadic(OpRegistry r, String op, Elementwise.DD fd, IntImpl fi, boolean mean, int... since) {
        OpSchema.builder(op).since(since).infer(Infers.BROADCAST).kernel(ctx -> {
            int n = ctx.inputCount();
            if (n == 0) throw ctx.fail("needs at least one input");
            Tensor acc = ElementwiseOps.numericInput(ctx, 0);
            DType t = acc.dtype();
            if (mean && !t.isFloatingPoint()) throw ctx.fail("Mean needs floating-point inputs, got " + t);
            if (n == 1) acc = acc.copy();
            for (int i = 1; i < n; i++) {
                Tensor x = ElementwiseOps.numericInput(ctx, i);
                sameType(ctx, acc, x);
                acc = t.isFloatingPoint() ? Elementwise.zipDouble(acc, x, t, fd) : Elementwise.zipLong(acc, x, t, fi.forType(t));
            }
            if (mean && n > 1) acc = Elementwise.mapDouble(acc, t, v -> v / n);
            return new Object[] {acc};
        }).register(r);
    }
}
