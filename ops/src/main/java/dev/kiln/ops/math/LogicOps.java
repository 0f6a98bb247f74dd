package dev.kiln.ops.math;

import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.ValueLayout;

/** Op family: comparisons, boolean logic, bitwise ops, BitShift, Where and BitCast. */
public final class LogicOps implements OpFamily {
    /** A comparison given as the sign of compare(a, b): which signs count as true. */
    private interface Cmp { boolean test(int sign); }

    @Override public void register(OpRegistry r) {
        compare(r, "Equal", s -> s == 0, 1, 7, 11, 13, 19);
        compare(r, "Less", s -> s < 0, 1, 7, 9, 13);
        compare(r, "Greater", s -> s > 0, 1, 7, 9, 13);
        compare(r, "LessOrEqual", s -> s <= 0, 12, 16);
        compare(r, "GreaterOrEqual", s -> s >= 0, 12, 16);

        logical(r, "And", (a, b) -> a & b);
        logical(r, "Or", (a, b) -> a | b);
        logical(r, "Xor", (a, b) -> a ^ b);
        OpSchema.builder("Not").since(1).infer(Infers.SAME_AS_INPUT0).kernel(ctx -> {
            Tensor x = boolInput(ctx, 0);
            return new Object[] {Elementwise.mapLong(x, DType.BOOL, v -> v == 0 ? 1 : 0)};
        }).register(r);

        bitwise(r, "BitwiseAnd", (a, b) -> a & b);
        bitwise(r, "BitwiseOr", (a, b) -> a | b);
        bitwise(r, "BitwiseXor", (a, b) -> a ^ b);
        OpSchema.builder("BitwiseNot").since(18).infer(Infers.SAME_AS_INPUT0).kernel(ctx -> {
            Tensor x = intInput(ctx, 0);
            return new Object[] {Elementwise.mapLong(x, x.dtype(), v -> ~v)};
        }).register(r);

        OpSchema.builder("BitShift").since(11).required("direction", dev.kiln.graph.Attribute.Kind.STRING)
                .infer(Infers.BROADCAST).kernel(ctx -> {
                    Tensor a = intInput(ctx, 0), b = intInput(ctx, 1);
                    Arithmetic.sameType(ctx, a, b);
                    if (a.dtype().isSigned()) throw ctx.fail("BitShift needs unsigned integers, got " + a.dtype());
                    String dir = ctx.attrString("direction");
                    Elementwise.LL f = switch (dir) {
                        case "LEFT" -> (x, s) -> Long.compareUnsigned(s, 64) >= 0 ? 0 : x << s;
                        case "RIGHT" -> (x, s) -> Long.compareUnsigned(s, 64) >= 0 ? 0 : x >>> s;
                        default -> throw ctx.fail("direction must be LEFT or RIGHT, got '" + dir + "'");
                    };
                    return new Object[] {Elementwise.zipLong(a, b, a.dtype(), f)};
                }).register(r);

        OpSchema.builder("Where").since(9, 16)
                .infer(ctx -> ctx.setOutputType(0, Infers.broadcastAll(ctx, Infers.dtypeOf(ctx.inputType(1)))))
                .kernel(LogicOps::where).register(r);

        OpSchema.builder("BitCast").since(26).required("to", dev.kiln.graph.Attribute.Kind.INT)
                .infer(ctx -> ctx.setOutputType(0, MathInfers.withDtype(ctx.inputType(0), DType.fromOnnx((int) ctx.node().attribute("to").asInt()))))
                .kernel(LogicOps::bitCast).register(r);
    }

    private static Tensor boolInput(KernelContext ctx, int i) {
        Tensor x = ctx.input(i);
        if (x.dtype() != DType.BOOL) throw ctx.fail("input " + i + " must be bool, got " + x.dtype());
        return x;
    }

    private static Tensor intInput(KernelContext ctx, int i) {
        Tensor x = ctx.input(i);
        if (!x.dtype().isInteger()) throw ctx.fail("input " + i + " must be an integer tensor, got " + x.dtype());
        return x;
    }

    private static void compare(OpRegistry r, String op, Cmp cmp, int... since) {
        OpSchema.builder(op).since(since).infer(Infers.BROADCAST_BOOL).kernel(ctx -> {
            Tensor a = ctx.input(0), b = ctx.input(1);
            Arithmetic.sameType(ctx, a, b);
            DType t = a.dtype();
            Tensor out;
            if (t == DType.STRING) out = Elementwise.zipStrings(a, b, DType.BOOL, (x, y) -> cmp.test(Integer.signum(x.compareTo(y))) ? 1 : 0);
            // NaN compares unequal and unordered: every comparison with it is false.
            else if (t.isFloatingPoint()) out = Elementwise.zipDoubleToLong(a, b, DType.BOOL,
                    (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? 0 : cmp.test(x < y ? -1 : x > y ? 1 : 0) ? 1 : 0);
            else if (t == DType.U64) out = Elementwise.zipLong(a, b, DType.BOOL, (x, y) -> cmp.test(Integer.signum(Long.compareUnsigned(x, y))) ? 1 : 0);
            else out = Elementwise.zipLong(a, b, DType.BOOL, (x, y) -> cmp.test(Long.compare(x, y)) ? 1 : 0);
            return new Object[] {out};
        }).register(r);
    }

    private static void logical(OpRegistry r, String op, Elementwise.LL f) {
        OpSchema.builder(op).since(1, 7).infer(Infers.BROADCAST_BOOL).kernel(ctx -> {
            Tensor a = boolInput(ctx, 0), b = Arithmetic.legacy(ctx, boolInput(ctx, 0), boolInput(ctx, 1));
            return new Object[] {Elementwise.zipLong(a, b, DType.BOOL, f)};
        }).attrInt("broadcast", 0).register(r);
    }

    private static void bitwise(OpRegistry r, String op, Elementwise.LL f) {
        OpSchema.builder(op).since(18).infer(Infers.BROADCAST).kernel(ctx -> {
            Tensor a = intInput(ctx, 0), b = intInput(ctx, 1);
            Arithmetic.sameType(ctx, a, b);
            return new Object[] {Elementwise.zipLong(a, b, a.dtype(), f)};
        }).register(r);
    }

    private static Object[] where(KernelContext ctx) {
        Tensor c = boolInput(ctx, 0), x = ctx.input(1), y = ctx.input(2);
        Arithmetic.sameType(ctx, x, y);
        Shape s = Broadcasting.shapeOf(c, x, y);
        Tensor out = Tensor.allocate(x.dtype(), s);
        if (x.dtype() == DType.STRING) {
            Tensor ec = c.expand(s), ex = x.expand(s), ey = y.expand(s);
            for (long i = 0; i < s.numel(); i++) out.setString(i, ec.getBoolean(i) ? ex.getString(i) : ey.getString(i));
            return new Object[] {out};
        }
        long[] sc = Broadcasting.alignedStrides(c, s), sx = Broadcasting.alignedStrides(x, s), sy = Broadcasting.alignedStrides(y, s);
        long ic = Broadcasting.innerStride(sc), ix = Broadcasting.innerStride(sx), iy = Broadcasting.innerStride(sy);
        Broadcasting.forEachRow(s, new long[][] {sc, sx, sy}, new long[] {c.offset(), x.offset(), y.offset()}, (o, st, len) -> {
            long pc = st[0], px = st[1], py = st[2];
            for (long j = 0; j < len; j++, pc += ic, px += ix, py += iy) {
                if (c.readLong(pc) != 0) Elementwise.copyElement(x, px, out, o + j);
                else Elementwise.copyElement(y, py, out, o + j);
            }
        });
        return new Object[] {out};
    }

    /** Reinterprets each element's bits as the target type, which must have the same bit width. */
    private static Object[] bitCast(KernelContext ctx) {
        Tensor x = ctx.input(0);
        DType to = DType.fromOnnx((int) ctx.attrInt("to"));
        DType from = x.dtype();
        if (from == DType.STRING || to == DType.STRING || bits(from) != bits(to))
            throw ctx.fail("BitCast needs numeric types of equal width, got " + from + " to " + to);
        Tensor src = x.contiguous();
        Tensor out = Tensor.allocate(to, x.shape());
        long n = x.numel(), base = src.offset();
        int w = bits(to);
        for (long i = 0; i < n; i++) {
            long raw = rawBits(src, base + i) & (w == 64 ? -1L : (1L << w) - 1);
            writeRaw(out, i, raw, to);
        }
        return new Object[] {out};
    }

    static int bits(DType t) {
        return switch (t) {
            case I4, U4, F4E2M1 -> 4;
            case I2, U2 -> 2;
            default -> t.byteSize() * 8;
        };
    }

    /** The stored bits of the element at physical position p (sub-byte types: the low bits of their byte). */
    static long rawBits(Tensor t, long p) {
        var seg = t.segment();
        return switch (t.dtype().byteSize()) {
            case 1 -> seg.get(ValueLayout.JAVA_BYTE, p) & 0xFFL;
            case 2 -> seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, p * 2) & 0xFFFFL;
            case 4 -> seg.get(ValueLayout.JAVA_INT_UNALIGNED, p * 4) & 0xFFFFFFFFL;
            default -> seg.get(ValueLayout.JAVA_LONG_UNALIGNED, p * 8);
        };
    }

    /** Stores raw bits at flat index i of a dense tensor; signed sub-byte types are kept sign-extended in memory. */
    static void writeRaw(Tensor t, long i, long raw, DType to) {
        var seg = t.segment();
        switch (to) {
            // Sub-byte types are kept one per byte (signed ones sign-extended); setLong applies that layout.
            case I4, I2, U4, U2, BOOL -> t.setLong(i, raw);
            default -> {
                switch (to.byteSize()) {
                    case 1 -> seg.set(ValueLayout.JAVA_BYTE, i, (byte) raw);
                    case 2 -> seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2, (short) raw);
                    case 4 -> seg.set(ValueLayout.JAVA_INT_UNALIGNED, i * 4, (int) raw);
                    default -> seg.set(ValueLayout.JAVA_LONG_UNALIGNED, i * 8, raw);
                }
            }
        }
    }
}
