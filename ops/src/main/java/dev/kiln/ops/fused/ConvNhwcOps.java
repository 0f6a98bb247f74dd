package dev.kiln.ops.fused;

import dev.kiln.graph.Dim;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.List;

/**
 * Op family: {@code dev.kiln.ConvNhwc(X, W, B?)}, the channels-last 2-D convolution the layout pass introduces.
 * X is {@code [N, H, W, C]}, W is {@code [kh, kw, C, Cout]} (HWIO: the layout the channels-last GEMM reads, so
 * the pass repacks a constant weight once instead of on every call), B is {@code [Cout]}, Y is
 * {@code [N, OH, OW, Cout]}. Group 1 only; {@code pads} are explicit {top, left, bottom, right} (the pass resolves
 * auto_pad); {@code activation} (with activation_min/max) as in FusedConv.
 */
public final class ConvNhwcOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder(FusedOps.DOMAIN, "ConvNhwc").since(1)
                .attrInts("dilations", null).attrInts("pads", null).attrInts("strides", null)
                .attrString("activation", "").attrFloat("activation_min", Float.NEGATIVE_INFINITY)
                .attrFloat("activation_max", Float.POSITIVE_INFINITY)
                .infer(ctx -> {
                    if (!(ctx.inputType(0) instanceof ValueType.TensorType x) || !(ctx.inputType(1) instanceof ValueType.TensorType w)) return;
                    if (!x.hasRank() || !w.hasRank() || x.rank() != 4 || w.rank() != 4) {
                        ctx.setOutputType(0, ValueType.TensorType.unranked(x.dtype()));
                        return;
                    }
                    Geometry g = Geometry.of(ctx.node().attribute("strides") == null ? null : ctx.node().attribute("strides").asInts(),
                            ctx.node().attribute("dilations") == null ? null : ctx.node().attribute("dilations").asInts(),
                            ctx.node().attribute("pads") == null ? null : ctx.node().attribute("pads").asInts());
                    long kh = w.dims().get(0).valueOr(-1), kw = w.dims().get(1).valueOr(-1);
                    Dim oh = g == null ? Dim.UNKNOWN : g.out(x.dims().get(1), kh, 0);
                    Dim ow = g == null ? Dim.UNKNOWN : g.out(x.dims().get(2), kw, 1);
                    ctx.setOutputType(0, new ValueType.TensorType(x.dtype(), List.of(x.dims().get(0), oh, ow, w.dims().get(3))));
                })
                .kernel(ctx -> new Object[]{run(ctx)})
                .register(r);
    }

    /** Strides, dilations and pads with their defaults; null when malformed. */
    record Geometry(long sh, long sw, long dh, long dw, long[] pads) {
        static Geometry of(long[] st, long[] dl, long[] pd) {
            if ((st != null && st.length != 2) || (dl != null && dl.length != 2) || (pd != null && pd.length != 4)) return null;
            long[] p = pd == null ? new long[4] : pd;
            for (long v : p) if (v < 0) return null;
            Geometry g = new Geometry(st == null ? 1 : st[0], st == null ? 1 : st[1], dl == null ? 1 : dl[0], dl == null ? 1 : dl[1], p);
            return g.sh < 1 || g.sw < 1 || g.dh < 1 || g.dw < 1 ? null : g;
        }

        long outSize(long in, long k, int axis) {
            long s = axis == 0 ? sh : sw, d = axis == 0 ? dh : dw;
            return (in + pads[axis] + pads[axis + 2] - (d * (k - 1) + 1)) / s + 1;
        }

        Dim out(Dim in, long k, int axis) {
            if (!in.isKnown() || k < 1) return Dim.UNKNOWN;
            long o = outSize(in.valueOr(0), k, axis);
            return o < 0 ? Dim.UNKNOWN : Dim.of(o);
        }
    }

    /** Scalar reference: direct loops in double, the oracle for the fast channels-last kernel. */
    private static Tensor run(KernelContext ctx) {
        FusedActivation act;
        try {
            act = FusedActivation.parse(ctx.attrString("activation"));
        } catch (IllegalArgumentException e) {
            throw ctx.fail(e.getMessage());
        }
        Tensor x = ctx.input(0), w = ctx.input(1), b = ctx.optionalInput(2);
        if (x.rank() != 4 || w.rank() != 4) throw ctx.fail("X " + x.shape() + " and W " + w.shape() + " must be 4-D (NHWC, HWIO)");
        long n = x.shape().dim(0), h = x.shape().dim(1), wd = x.shape().dim(2), c = x.shape().dim(3);
        long kh = w.shape().dim(0), kw = w.shape().dim(1), cout = w.shape().dim(3);
        if (w.shape().dim(2) != c) throw ctx.fail("W " + w.shape() + " (HWIO) does not match " + c + " input channels of X " + x.shape());
        if (b != null && (b.rank() != 1 || b.numel() != cout)) throw ctx.fail("B " + b.shape() + " must be [" + cout + "]");
        Geometry g = Geometry.of(ctx.attrInts("strides"), ctx.attrInts("dilations"), ctx.attrInts("pads"));
        if (g == null) throw ctx.fail("malformed strides/dilations/pads");
        long oh = g.outSize(h, kh, 0), ow = g.outSize(wd, kw, 1);
        if (oh < 0 || ow < 0) throw ctx.fail("kernel " + kh + "x" + kw + " does not fit X " + x.shape());
        Tensor y = Tensor.allocate(x.dtype(), Shape.of(n, oh, ow, cout));
        double lo = ctx.attrFloat("activation_min"), hi = ctx.attrFloat("activation_max");
        long at = 0;
        for (long bi = 0; bi < n; bi++)
            for (long oy = 0; oy < oh; oy++)
                for (long ox = 0; ox < ow; ox++)
                    for (long co = 0; co < cout; co++, at++) {
                        double s = b == null ? 0 : b.getDouble(co);
                        for (long i = 0; i < kh; i++) {
                            long iy = oy * g.sh - g.pads[0] + i * g.dh;
                            if (iy < 0 || iy >= h) continue;
                            for (long j = 0; j < kw; j++) {
                                long ix = ox * g.sw - g.pads[1] + j * g.dw;
                                if (ix < 0 || ix >= wd) continue;
                                long xb = ((bi * h + iy) * wd + ix) * c, wb = (i * kw + j) * c * cout + co;
                                for (long ci = 0; ci < c; ci++) s += x.getDouble(xb + ci) * w.getDouble(wb + ci * cout);
                            }
                        }
                        y.setDouble(at, act.apply(s, lo, hi));
                    }
        return y;
    }
}
