package dev.kiln.ops.reduce;

import dev.kiln.graph.Dim;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Op family: reductions along a single axis that work on lines (outer x n x inner decomposition of a dense
 * tensor): ArgMax/ArgMin, CumSum/CumProd and LpNormalization.
 */
public final class IndexReductions implements OpFamily {
    @Override public void register(OpRegistry r) {
        arg(r, "ArgMax", true);
        arg(r, "ArgMin", false);
        scan(r, "CumSum", false, 11, 14);
        scan(r, "CumProd", true, 26);
        OpSchema.builder("LpNormalization").since(1, 22).attrInt("axis", -1).attrInt("p", 2).infer(Infers.SAME_AS_INPUT0)
                .kernel(IndexReductions::lpNorm).register(r);
    }

    private static void arg(OpRegistry r, String op, boolean max) {
        OpSchema.builder(op).since(1, 11, 12, 13).attrInt("axis", 0).attrInt("keepdims", 1).attrInt("select_last_index", 0)
                .infer(ctx -> {
                    if (!(ctx.inputType(0) instanceof TensorType t) || !t.hasRank()) { ctx.setOutputType(0, TensorType.unranked(DType.I64)); return; }
                    var a = ctx.node().attribute("axis");
                    var k = ctx.node().attribute("keepdims");
                    int rank = t.rank();
                    long ax = a == null ? 0 : a.asInt();
                    int axis = (int) (ax < 0 ? ax + rank : ax);
                    List<Dim> d = new ArrayList<>();
                    for (int i = 0; i < rank; i++) {
                        if (i != axis) d.add(t.dims().get(i));
                        else if (k == null || k.asInt() != 0) d.add(Dim.of(1));
                    }
                    ctx.setOutputType(0, new TensorType(DType.I64, d));
                })
                .kernel(ctx -> {
                    Tensor x = ctx.input(0).contiguous();
                    if (!x.dtype().isNumeric()) throw ctx.fail("input must be numeric, got " + x.dtype());
                    int axis = Axes.axis(ctx, ctx.attrInt("axis"), x.rank());
                    boolean last = ctx.attrInt("select_last_index") != 0;
                    if (x.rank() > 0 && x.shape().dim(axis) == 0) throw ctx.fail("cannot take " + op + " over an empty axis");
                    Shape s = x.shape();
                    long outer = Axes.prod(s, 0, axis), n = x.rank() == 0 ? 1 : s.dim(axis), inner = Axes.prod(s, axis + 1, s.rank());
                    boolean[] mask = new boolean[x.rank()];
                    if (x.rank() > 0) mask[axis] = true;
                    Tensor out = Tensor.allocate(DType.I64, Axes.reduced(s, mask, ctx.attrInt("keepdims") != 0));
                    boolean fp = x.dtype().isFloatingPoint(), u64 = x.dtype() == DType.U64;
                    long base = x.offset();
                    for (long o = 0; o < outer; o++) {
                        for (long i = 0; i < inner; i++) {
                            long start = base + o * n * inner + i, best = 0;
                            double bd = fp ? x.readDouble(start) : 0;
                            long bl = fp ? 0 : x.readLong(start);
                            for (long j = 1; j < n; j++) {
                                long p = start + j * inner;
                                int c;
                                if (fp) {
                                    double v = x.readDouble(p);
                                    boolean vn = Double.isNaN(v), bn = Double.isNaN(bd);
                                    // NaN wins, as in numpy's argmax/argmin (first NaN, or last with select_last_index).
                                    boolean take = bn ? vn && last
                                            : vn || (max ? v > bd || (v == bd && last) : v < bd || (v == bd && last));
                                    if (take) { best = j; bd = v; }
                                } else {
                                    long v = x.readLong(p);
                                    c = u64 ? Long.compareUnsigned(v, bl) : Long.compare(v, bl);
                                    if (!max) c = -c;
                                    if (c > 0 || (c == 0 && last)) { best = j; bl = v; }
                                }
                            }
                            out.setLong(o * inner + i, best);
                        }
                    }
                    return new Object[] {out};
                }).register(r);
    }

    private static void scan(OpRegistry r, String op, boolean product, int... since) {
        OpSchema.builder(op).since(since).attrInt("exclusive", 0).attrInt("reverse", 0).infer(Infers.SAME_AS_INPUT0).kernel(ctx -> {
            Tensor x = ctx.input(0).contiguous();
            Tensor axisT = ctx.input(1);
            if (axisT.numel() != 1) throw ctx.fail("axis must be a scalar, got shape " + axisT.shape());
            int axis = Axes.axis(ctx, axisT.getLong(0), x.rank());
            boolean exclusive = ctx.attrInt("exclusive") != 0, reverse = ctx.attrInt("reverse") != 0;
            Shape s = x.shape();
            Tensor out = Tensor.allocate(x.dtype(), s);
            if (s.isEmpty()) return new Object[] {out};
            long outer = Axes.prod(s, 0, axis), n = x.rank() == 0 ? 1 : s.dim(axis), inner = Axes.prod(s, axis + 1, s.rank());
            boolean fp = x.dtype().isFloatingPoint();
            long base = x.offset();
            for (long o = 0; o < outer; o++) {
                for (long i = 0; i < inner; i++) {
                    double ad = product ? 1 : 0;
                    long al = product ? 1 : 0;
                    for (long jj = 0; jj < n; jj++) {
                        long j = reverse ? n - 1 - jj : jj;
                        long q = (o * n + j) * inner + i;
                        if (fp) {
                            double v = x.readDouble(base + q);
                            if (exclusive) { out.writeDouble(q, ad); ad = product ? ad * v : ad + v; }
                            else { ad = product ? ad * v : ad + v; out.writeDouble(q, ad); }
                        } else {
                            long v = x.readLong(base + q);
                            if (exclusive) { out.writeLong(q, al); al = product ? al * v : al + v; }
                            else { al = product ? al * v : al + v; out.writeLong(q, al); }
                        }
                    }
                }
            }
            return new Object[] {out};
        }).register(r);
    }

    private static Object[] lpNorm(KernelContext ctx) {
        Tensor x = ctx.input(0).contiguous();
        if (!x.dtype().isFloatingPoint()) throw ctx.fail("input must be floating-point, got " + x.dtype());
        long p = ctx.attrInt("p");
        if (p != 1 && p != 2) throw ctx.fail("p must be 1 or 2, got " + p);
        int axis = Axes.axis(ctx, ctx.attrInt("axis"), x.rank());
        Shape s = x.shape();
        Tensor out = Tensor.allocate(x.dtype(), s);
        if (s.isEmpty()) return new Object[] {out};
        long outer = Axes.prod(s, 0, axis), n = s.dim(axis), inner = Axes.prod(s, axis + 1, s.rank());
        long base = x.offset();
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                double norm = 0;
                for (long j = 0; j < n; j++) {
                    double v = x.readDouble(base + (o * n + j) * inner + i);
                    norm += p == 1 ? Math.abs(v) : v * v;
                }
                if (p == 2) norm = Math.sqrt(norm);
                for (long j = 0; j < n; j++) {
                    long q = (o * n + j) * inner + i;
                    // A zero norm yields 0, as the ONNX reference does, instead of 0/0.
                    out.writeDouble(q, norm == 0 ? 0 : x.readDouble(base + q) / norm);
                }
            }
        }
        return new Object[] {out};
    }
}
