package dev.kiln.ops.reduce;

import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * Op family: Softmax, LogSoftmax, Hardmax. Before opset 13 the input is viewed as 2-D
 * [prod(dims[:axis]), prod(dims[axis:])] (default axis 1) and normalised per row; from 13 on they normalise along
 * one axis (default -1). Softmax subtracts the line maximum first so large inputs do not overflow.
 */
public final class SoftmaxOps implements OpFamily {
    enum Kind { SOFTMAX, LOG_SOFTMAX, HARDMAX }

    @Override public void register(OpRegistry r) {
        op(r, "Softmax", Kind.SOFTMAX);
        op(r, "LogSoftmax", Kind.LOG_SOFTMAX);
        op(r, "Hardmax", Kind.HARDMAX);
    }

    private static void op(OpRegistry r, String name, Kind kind) {
        OpSchema.builder(name).since(1, 11, 13).attrInt("axis", -1).infer(Infers.SAME_AS_INPUT0)
                .kernel(ctx -> new Object[] {run(ctx, kind)}).register(r);
    }

    private static Tensor run(KernelContext ctx, Kind kind) {
        Tensor x = ctx.input(0).contiguous();
        if (!x.dtype().isFloatingPoint()) throw ctx.fail("input must be floating-point, got " + x.dtype());
        boolean legacy = ctx.opsetVersion() < 13;
        long axisAttr = ctx.hasAttr("axis") ? ctx.attrInt("axis") : legacy ? 1 : -1;
        Shape s = x.shape();
        Tensor out = Tensor.allocate(x.dtype(), s);
        if (s.rank() == 0) {
            out.setDouble(0, kind == Kind.LOG_SOFTMAX ? 0 : 1);
            return out;
        }
        int axis = legacy && axisAttr == s.rank() ? s.rank() : Axes.axis(ctx, axisAttr, s.rank());
        long outer = Axes.prod(s, 0, axis), n, inner;
        if (legacy) { n = Axes.prod(s, axis, s.rank()); inner = 1; }
        else { n = s.dim(axis); inner = Axes.prod(s, axis + 1, s.rank()); }
        if (s.isEmpty()) return out;
        apply(x, out, outer, n, inner, kind);
        return out;
    }

    /** Normalises each line (o, *, i) of the dense tensor {@code x} into {@code out}. */
    static void apply(Tensor x, Tensor out, long outer, long n, long inner, Kind kind) {
        long base = x.offset();
        // One read per element into a reused line buffer; exp is evaluated once per element.
        double[] buf = new double[Math.toIntExact(n)];
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                long first = o * n * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                int arg = 0;
                for (int j = 0; j < n; j++) {
                    double v = x.readDouble(base + first + j * inner);
                    buf[j] = v;
                    if (v > max || (Double.isNaN(v) && !Double.isNaN(max))) { max = v; arg = j; }
                }
                if (kind == Kind.HARDMAX) {
                    for (int j = 0; j < n; j++) out.writeDouble(first + j * inner, j == arg ? 1 : 0);
                    continue;
                }
                // Shift by the maximum as ONNX's reference (numpy) does: a +Inf maximum makes the whole line NaN
                // (Inf - Inf), matching it and the CPU kernel. Only an all -Inf line uses 0 (its result is NaN either way).
                double m = max == Double.NEGATIVE_INFINITY ? 0 : max;
                double sum = 0;
                if (kind == Kind.SOFTMAX) {
                    for (int j = 0; j < n; j++) { double e = Math.exp(buf[j] - m); buf[j] = e; sum += e; }
                    double inv = 1 / sum;
                    for (int j = 0; j < n; j++) out.writeDouble(first + j * inner, buf[j] * inv);
                } else {
                    for (int j = 0; j < n; j++) sum += Math.exp(buf[j] - m);
                    double shift = m + Math.log(sum);
                    for (int j = 0; j < n; j++) out.writeDouble(first + j * inner, buf[j] - shift);
                }
            }
        }
    }
}
