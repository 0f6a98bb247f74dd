package dev.kiln.ops.nn;

import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.Arrays;

/** Op family: Conv, ConvInteger, QLinearConv, ConvTranspose, DeformConv, Col2Im. */
public final class ConvOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("Conv").since(1, 11, 22)
                .attrString("auto_pad", "NOTSET").attrInts("dilations", null).attrInt("group", 1)
                .attrInts("kernel_shape", null).attrInts("pads", null).attrInts("strides", null)
                .infer(WindowInference.conv(0, 1, null))
                .kernel(ctx -> new Object[]{conv(ctx)})
                .register(r);
        OpSchema.builder("ConvInteger").since(10)
                .attrString("auto_pad", "NOTSET").attrInts("dilations", null).attrInt("group", 1)
                .attrInts("kernel_shape", null).attrInts("pads", null).attrInts("strides", null)
                .infer(WindowInference.conv(0, 1, DType.I32))
                .kernel(ctx -> new Object[]{convInteger(ctx)})
                .register(r);
        OpSchema.builder("QLinearConv").since(10)
                .attrString("auto_pad", "NOTSET").attrInts("dilations", null).attrInt("group", 1)
                .attrInts("kernel_shape", null).attrInts("pads", null).attrInts("strides", null)
                .infer(ctx -> WindowInference.conv(0, 3, Infers.dtypeOf(ctx.inputType(7))).infer(ctx))
                .kernel(ctx -> new Object[]{qlinearConv(ctx)})
                .register(r);
        OpSchema.builder("ConvTranspose").since(1, 11, 22)
                .attrString("auto_pad", "NOTSET").attrInts("dilations", null).attrInt("group", 1)
                .attrInts("kernel_shape", null).attrInts("pads", null).attrInts("strides", null)
                .attrInts("output_padding", null).attrInts("output_shape", null)
                .infer(WindowInference.convTranspose())
                .kernel(ctx -> new Object[]{ConvTranspose.run(ctx)})
                .register(r);
        OpSchema.builder("DeformConv").since(19, 22)
                .attrInts("dilations", null).attrInt("group", 1).attrInts("kernel_shape", null)
                .attrInt("offset_group", 1).attrInts("pads", null).attrInts("strides", null)
                .infer(WindowInference.conv(0, 1, null))
                .kernel(ctx -> new Object[]{DeformConv.run(ctx)})
                .register(r);
        OpSchema.builder("Col2Im").since(18)
                .attrInts("dilations", null).attrInts("pads", null).attrInts("strides", null)
                .infer(WindowInference.col2Im())
                .kernel(ctx -> new Object[]{Col2Im.run(ctx)})
                .register(r);
    }

    /** Spatial dims of X and the kernel (attribute or W's trailing dims), checking that they agree. */
    static long[] kernelShape(KernelContext ctx, Tensor x, Tensor w) {
        if (w.rank() != x.rank()) throw ctx.fail("W of shape " + w.shape() + " must have the rank of X " + x.shape());
        long[] k = Arrays.copyOfRange(w.shape().dims(), 2, w.rank());
        long[] attr = ctx.attrInts("kernel_shape");
        if (attr != null && attr.length != 0 && !Arrays.equals(attr, k))
            throw ctx.fail("kernel_shape " + Arrays.toString(attr) + " disagrees with W of shape " + w.shape());
        return k;
    }

    static long[] spatial(Tensor x) { return Arrays.copyOfRange(x.shape().dims(), 2, x.rank()); }

    static Shape outShape(long n, long m, long[] out) {
        long[] d = new long[out.length + 2];
        d[0] = n;
        d[1] = m;
        System.arraycopy(out, 0, d, 2, out.length);
        return Shape.of(d);
    }

    /** Checks X/W channel and group consistency; returns the group count. */
    static int checkGroups(KernelContext ctx, Tensor x, Tensor w) {
        long group = ctx.attrInt("group");
        long c = x.shape().dim(1), m = w.shape().dim(0);
        if (group <= 0 || c % group != 0 || m % group != 0 || w.shape().dim(1) * group != c)
            throw ctx.fail("group " + group + " does not fit X " + x.shape() + " and W " + w.shape());
        return (int) group;
    }

    private static Tensor conv(KernelContext ctx) {
        Tensor x = ctx.input(0), w = ctx.input(1), b = ctx.optionalInput(2);
        NnTensors.requireMinRank(ctx, x, 3, "Conv input X");
        NnTensors.requireFloat(ctx, x, "Conv input X");
        long[] k = kernelShape(ctx, x, w);
        int group = checkGroups(ctx, x, w);
        Window win = Window.forward(ctx, spatial(x), k, false);
        int m = (int) w.shape().dim(0);
        double[] bias = null;
        if (b != null) bias = NormalizationOps.perChannel(ctx, b, m, "Conv bias B");
        Shape os = outShape(x.shape().dim(0), m, win.out());
        NnTensors.checkedSize(ctx, os, "Conv output");
        double[] y = DirectConv.forward(win, NnTensors.doubles(x), (int) x.shape().dim(0), (int) x.shape().dim(1),
                NnTensors.doubles(w), m, group, bias);
        return NnTensors.fromDoubles(x.dtype(), os, y);
    }

    /** Input minus its zero point, which is a scalar or (for W) one value per output channel. */
    static double[] minusZeroPoint(KernelContext ctx, Tensor t, Tensor zp, int channelAxis0Count, String what) {
        double[] v = NnTensors.doubles(t);
        if (zp == null) return v;
        if (zp.dtype() != t.dtype()) throw ctx.fail(what + " zero point type " + zp.dtype() + " differs from " + t.dtype());
        if (zp.numel() == 1) {
            double z = zp.getDouble(0);
            for (int i = 0; i < v.length; i++) v[i] -= z;
        } else if (channelAxis0Count > 0 && zp.numel() == channelAxis0Count) {
            int per = v.length / channelAxis0Count;
            for (int i = 0; i < v.length; i++) v[i] -= zp.getDouble(i / per);
        } else {
            throw ctx.fail(what + " zero point of shape " + zp.shape() + " must be a scalar" + (channelAxis0Count > 0 ? " or have " + channelAxis0Count + " elements" : ""));
        }
        return v;
    }

    private static Tensor convInteger(KernelContext ctx) {
        Tensor x = ctx.input(0), w = ctx.input(1);
        NnTensors.requireMinRank(ctx, x, 3, "ConvInteger input X");
        long[] k = kernelShape(ctx, x, w);
        int group = checkGroups(ctx, x, w);
        Window win = Window.forward(ctx, spatial(x), k, false);
        int m = (int) w.shape().dim(0);
        double[] xv = minusZeroPoint(ctx, x, ctx.optionalInput(2), 0, "x");
        double[] wv = minusZeroPoint(ctx, w, ctx.optionalInput(3), m, "w");
        Shape os = outShape(x.shape().dim(0), m, win.out());
        NnTensors.checkedSize(ctx, os, "ConvInteger output");
        double[] y = DirectConv.forward(win, xv, (int) x.shape().dim(0), (int) x.shape().dim(1), wv, m, group, null);
        long[] l = new long[y.length];
        for (int i = 0; i < y.length; i++) l[i] = (long) y[i];
        return NnTensors.fromLongs(DType.I32, os, l);
    }

    private static Tensor qlinearConv(KernelContext ctx) {
        Tensor x = ctx.input(0), xs = ctx.input(1), w = ctx.input(3), ws = ctx.input(4), ys = ctx.input(6);
        Tensor yzp = ctx.input(7), b = ctx.optionalInput(8);
        NnTensors.requireMinRank(ctx, x, 3, "QLinearConv input x");
        long[] k = kernelShape(ctx, x, w);
        int group = checkGroups(ctx, x, w);
        Window win = Window.forward(ctx, spatial(x), k, false);
        int m = (int) w.shape().dim(0);
        double[] xv = minusZeroPoint(ctx, x, ctx.input(2), 0, "x");
        double[] wv = minusZeroPoint(ctx, w, ctx.input(5), m, "w");
        double[] bias = null;
        if (b != null) bias = NormalizationOps.perChannel(ctx, b, m, "QLinearConv bias B");
        Shape os = outShape(x.shape().dim(0), m, win.out());
        NnTensors.checkedSize(ctx, os, "QLinearConv output");
        double[] acc = DirectConv.forward(win, xv, (int) x.shape().dim(0), (int) x.shape().dim(1), wv, m, group, bias);
        if (ws.numel() != 1 && ws.numel() != m) throw ctx.fail("w_scale must be a scalar or have " + m + " elements, got " + ws.shape());
        double xScale = xs.getFloat(0), yScale = ys.getFloat(0), zp = yzp.getDouble(0);
        double lo = yzp.dtype() == DType.U8 ? 0 : -128, hi = yzp.dtype() == DType.U8 ? 255 : 127;
        int outSp = (int) win.outCount();
        long[] out = new long[acc.length];
        for (int i = 0; i < acc.length; i++) {
            int oc = (i / outSp) % m;
            // The ONNX definition rescales in float32: real = acc * (x_scale * w_scale) / y_scale.
            float scale = (float) xScale * ws.getFloat(ws.numel() == 1 ? 0 : oc);
            double q = Math.rint((float) ((float) acc[i] * scale) / (float) yScale) + zp;
            out[i] = (long) Math.max(lo, Math.min(hi, q));
        }
        return NnTensors.fromLongs(yzp.dtype(), os, out);
    }
}
