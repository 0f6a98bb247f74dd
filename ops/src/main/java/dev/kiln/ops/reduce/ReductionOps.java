package dev.kiln.ops.reduce;

import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.ops.math.Broadcasting;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.Arrays;

/**
 * Op family: the Reduce* ops, plus arg-reductions, scans and LpNormalization (registered from
 * {@link IndexReductions}). Axes are an attribute until opset 13 (ReduceSum) or 18 (the others) and an optional
 * input after; empty axes reduce everything unless {@code noop_with_empty_axes}. Reducing zero elements yields
 * the identity of the reduction (0 for sums, 1 for products, -inf/+inf or the integer extremes for Max/Min,
 * NaN for Mean, -inf for the log reductions).
 */
public final class ReductionOps implements OpFamily {
    enum Kind { SUM, MEAN, MAX, MIN, PROD, L1, L2, LOG_SUM, LOG_SUM_EXP, SUM_SQUARE }

    @Override public void register(OpRegistry r) {
        reduce(r, "ReduceSum", Kind.SUM, 13, 1, 11, 13);
        reduce(r, "ReduceMean", Kind.MEAN, 18, 1, 11, 13, 18);
        reduce(r, "ReduceMax", Kind.MAX, 18, 1, 11, 12, 13, 18, 20);
        reduce(r, "ReduceMin", Kind.MIN, 18, 1, 11, 12, 13, 18, 20);
        reduce(r, "ReduceProd", Kind.PROD, 18, 1, 11, 13, 18);
        reduce(r, "ReduceL1", Kind.L1, 18, 1, 11, 13, 18);
        reduce(r, "ReduceL2", Kind.L2, 18, 1, 11, 13, 18);
        reduce(r, "ReduceLogSum", Kind.LOG_SUM, 18, 1, 11, 13, 18);
        reduce(r, "ReduceLogSumExp", Kind.LOG_SUM_EXP, 18, 1, 11, 13, 18);
        reduce(r, "ReduceSumSquare", Kind.SUM_SQUARE, 18, 1, 11, 13, 18);
        new IndexReductions().register(r);
    }

    private static void reduce(OpRegistry r, String op, Kind kind, int axesInputSince, int... since) {
        OpSchema.builder(op).since(since).attrInt("keepdims", 1).attrInt("noop_with_empty_axes", 0)
                .infer(ctx -> {
                    boolean asInput = ctx.opsetVersion() >= axesInputSince;
                    var axesAttr = ctx.node().attribute("axes");
                    long[] axes = asInput ? (ctx.inputCount() < 2 || ctx.node().input(1) == null ? new long[0]
                            : ctx.constantInput(1) == null ? null : ctx.constantInput(1).toLongArray())
                            : axesAttr == null ? new long[0] : axesAttr.asInts();
                    var k = ctx.node().attribute("keepdims");
                    var noop = ctx.node().attribute("noop_with_empty_axes");
                    Axes.inferReduced(ctx, axes, k == null || k.asInt() != 0, asInput && noop != null && noop.asInt() != 0,
                            dev.kiln.ops.Infers.dtypeOf(ctx.inputType(0)));
                })
                .kernel(ctx -> new Object[] {run(ctx, kind, axesInputSince)}).register(r);
    }

    private static Tensor run(KernelContext ctx, Kind kind, int axesInputSince) {
        Tensor x = ctx.input(0);
        if (!x.dtype().isNumeric()) throw ctx.fail("input must be numeric, got " + x.dtype());
        boolean asInput = ctx.opsetVersion() >= axesInputSince;
        Tensor axesT = asInput ? ctx.optionalInput(1) : null;
        if (axesT != null && (!axesT.dtype().isInteger() || axesT.rank() > 1))
            throw ctx.fail("axes must be a 1-D integer tensor, got " + axesT.dtype() + axesT.shape());
        long[] axes = asInput ? Axes.fromTensor(axesT) : ctx.attrInts("axes");
        if (axes == null) axes = new long[0];
        boolean keepdims = ctx.attrInt("keepdims") != 0;
        if (axes.length == 0 && asInput && ctx.attrInt("noop_with_empty_axes") != 0) return x.copy();
        int rank = x.rank();
        boolean[] mask;
        if (axes.length == 0) { mask = new boolean[rank]; Arrays.fill(mask, true); }
        else mask = Axes.mask(ctx, axes, rank);
        return reduce(x, mask, keepdims, kind);
    }

    /** Reduces {@code x} over the masked axes. */
    static Tensor reduce(Tensor x, boolean[] mask, boolean keepdims, Kind kind) {
        int rank = x.rank();
        int[] perm = new int[rank];
        int k = 0;
        long outN = 1, red = 1;
        for (int i = 0; i < rank; i++) if (!mask[i]) { perm[k++] = i; outN *= x.shape().dim(i); }
        for (int i = 0; i < rank; i++) if (mask[i]) { perm[k++] = i; red *= x.shape().dim(i); }
        Tensor v = x.permute(perm);
        Shape outShape = Axes.reduced(x.shape(), mask, keepdims);
        DType t = x.dtype();
        Tensor out = Tensor.allocate(t, outShape);
        if (outN == 0) return out;
        boolean exactInt = !t.isFloatingPoint() && kind != Kind.L2 && kind != Kind.LOG_SUM && kind != Kind.LOG_SUM_EXP;
        if (exactInt) {
            long[] acc = reduceLong(v, outN, red, kind, t);
            for (int o = 0; o < outN; o++) out.writeLong(o, acc[o]);
        } else {
            double[] acc = reduceDouble(v, outN, red, kind);
            for (int o = 0; o < outN; o++) out.writeDouble(o, acc[o]);
        }
        return out;
    }

    /** Visits the reduced block of each output element row by row; {@code v} has the reduced axes last. */
    private interface Row { void row(int o, long pos, long stride, long len); }

    private static void rows(Tensor v, long red, Row f) {
        long[] s = v.strides();
        long inner = Broadcasting.innerStride(s);
        Broadcasting.forEachRow(v.shape(), new long[][] {s}, new long[] {v.offset()},
                (flat, st, len) -> f.row((int) (flat / red), st[0], inner, len));
    }

    private static double[] reduceDouble(Tensor v, long outN, long red, Kind kind) {
        double[] acc = new double[Math.toIntExact(outN)];
        double init = switch (kind) {
            case MAX, LOG_SUM_EXP -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
            case PROD -> 1;
            default -> 0;
        };
        Arrays.fill(acc, init);
        switch (kind) {
            case SUM, MEAN, LOG_SUM -> rows(v, red, (o, p, s, n) -> { double a = acc[o]; for (long j = 0; j < n; j++, p += s) a += v.readDouble(p); acc[o] = a; });
            case L1 -> rows(v, red, (o, p, s, n) -> { double a = acc[o]; for (long j = 0; j < n; j++, p += s) a += Math.abs(v.readDouble(p)); acc[o] = a; });
            case L2, SUM_SQUARE -> rows(v, red, (o, p, s, n) -> { double a = acc[o]; for (long j = 0; j < n; j++, p += s) { double e = v.readDouble(p); a += e * e; } acc[o] = a; });
            case PROD -> rows(v, red, (o, p, s, n) -> { double a = acc[o]; for (long j = 0; j < n; j++, p += s) a *= v.readDouble(p); acc[o] = a; });
            case MAX -> rows(v, red, (o, p, s, n) -> { double a = acc[o]; for (long j = 0; j < n; j++, p += s) a = Math.max(a, v.readDouble(p)); acc[o] = a; });
            case MIN -> rows(v, red, (o, p, s, n) -> { double a = acc[o]; for (long j = 0; j < n; j++, p += s) a = Math.min(a, v.readDouble(p)); acc[o] = a; });
            case LOG_SUM_EXP -> {
                // Two passes: the maximum, then sum(exp(x - max)), so large inputs do not overflow.
                double[] max = acc.clone();
                rows(v, red, (o, p, s, n) -> { double a = max[o]; for (long j = 0; j < n; j++, p += s) a = Math.max(a, v.readDouble(p)); max[o] = a; });
                Arrays.fill(acc, 0);
                rows(v, red, (o, p, s, n) -> {
                    double m = Double.isInfinite(max[o]) ? 0 : max[o], a = acc[o];
                    for (long j = 0; j < n; j++, p += s) a += Math.exp(v.readDouble(p) - m);
                    acc[o] = a;
                });
                for (int o = 0; o < outN; o++) acc[o] = Math.log(acc[o]) + (Double.isInfinite(max[o]) ? 0 : max[o]);
            }
        }
        for (int o = 0; o < outN; o++) {
            switch (kind) {
                case MEAN -> acc[o] /= red;
                case L2 -> acc[o] = Math.sqrt(acc[o]);
                case LOG_SUM -> acc[o] = Math.log(acc[o]);
                default -> { }
            }
        }
        return acc;
    }

    private static long[] reduceLong(Tensor v, long outN, long red, Kind kind, DType t) {
        long[] acc = new long[Math.toIntExact(outN)];
        boolean u64 = t == DType.U64;
        long init = switch (kind) {
            case MAX -> minValue(t);
            case MIN -> maxValue(t);
            case PROD -> 1;
            default -> 0;
        };
        Arrays.fill(acc, init);
        switch (kind) {
            case SUM, MEAN -> rows(v, red, (o, p, s, n) -> { long a = acc[o]; for (long j = 0; j < n; j++, p += s) a += v.readLong(p); acc[o] = a; });
            case L1 -> rows(v, red, (o, p, s, n) -> { long a = acc[o]; for (long j = 0; j < n; j++, p += s) a += Math.abs(v.readLong(p)); acc[o] = a; });
            case SUM_SQUARE -> rows(v, red, (o, p, s, n) -> { long a = acc[o]; for (long j = 0; j < n; j++, p += s) { long e = v.readLong(p); a += e * e; } acc[o] = a; });
            case PROD -> rows(v, red, (o, p, s, n) -> { long a = acc[o]; for (long j = 0; j < n; j++, p += s) a *= v.readLong(p); acc[o] = a; });
            case MAX -> rows(v, red, (o, p, s, n) -> {
                long a = acc[o];
                for (long j = 0; j < n; j++, p += s) { long e = v.readLong(p); if (u64 ? Long.compareUnsigned(e, a) > 0 : e > a) a = e; }
                acc[o] = a;
            });
            case MIN -> rows(v, red, (o, p, s, n) -> {
                long a = acc[o];
                for (long j = 0; j < n; j++, p += s) { long e = v.readLong(p); if (u64 ? Long.compareUnsigned(e, a) < 0 : e < a) a = e; }
                acc[o] = a;
            });
            default -> throw new IllegalStateException(kind.toString());
        }
        if (kind == Kind.MEAN) for (int o = 0; o < outN; o++) acc[o] = red == 0 ? 0 : acc[o] / red;
        return acc;
    }

    static long minValue(DType t) {
        return switch (t) {
            case BOOL, U8, U16, U32, U64, U4, U2 -> 0;
            case I8 -> Byte.MIN_VALUE;
            case I16 -> Short.MIN_VALUE;
            case I32 -> Integer.MIN_VALUE;
            case I4 -> -8;
            case I2 -> -2;
            default -> Long.MIN_VALUE;
        };
    }

    static long maxValue(DType t) {
        return switch (t) {
            case BOOL -> 1;
            case U8 -> 0xFF;
            case U16 -> 0xFFFF;
            case U32 -> 0xFFFFFFFFL;
            case U64 -> -1L;
            case U4 -> 15;
            case U2 -> 3;
            case I8 -> Byte.MAX_VALUE;
            case I16 -> Short.MAX_VALUE;
            case I32 -> Integer.MAX_VALUE;
            case I4 -> 7;
            case I2 -> 1;
            default -> Long.MAX_VALUE;
        };
    }
}
