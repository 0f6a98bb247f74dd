package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * DeformConv (2-D): like Conv, but each kernel tap samples X at its regular position plus a learned (dy, dx)
 * offset, by bilinear interpolation with zeros outside the image, optionally weighted by a mask.
 * Offsets are (N, offset_group * 2 * kH * kW, oH, oW) with (dy, dx) pairs per tap; mask is
 * (N, offset_group * kH * kW, oH, oW).
 */
final class DeformConv {
    private DeformConv() {}

    static Tensor run(KernelContext ctx) {
        Tensor x = ctx.input(0), w = ctx.input(1), off = ctx.input(2), b = ctx.optionalInput(3), mask = ctx.optionalInput(4);
        NnTensors.requireRank(ctx, x, 4, "DeformConv input X (only 2-D deformable convolution is supported)");
        NnTensors.requireFloat(ctx, x, "DeformConv input X");
        long[] k = ConvOps.kernelShape(ctx, x, w);
        int group = ConvOps.checkGroups(ctx, x, w);
        Window win = Window.forward(ctx, ConvOps.spatial(x), k, false);
        int n = (int) x.shape().dim(0), c = (int) x.shape().dim(1), h = (int) win.in()[0], wd = (int) win.in()[1];
        int m = (int) w.shape().dim(0), kh = (int) k[0], kw = (int) k[1], oh = (int) win.out()[0], ow = (int) win.out()[1];
        int og = (int) ctx.attrInt("offset_group");
        int kc = kh * kw;
        if (og <= 0 || c % og != 0) throw ctx.fail("offset_group " + og + " must divide the channel count " + c);
        Shape offShape = Shape.of(n, (long) og * 2 * kc, oh, ow);
        if (!off.shape().equals(offShape)) throw ctx.fail("offset must have shape " + offShape + ", got " + off.shape());
        Shape maskShape = Shape.of(n, (long) og * kc, oh, ow);
        if (mask != null && !mask.shape().equals(maskShape)) throw ctx.fail("mask must have shape " + maskShape + ", got " + mask.shape());
        double[] bias = b == null ? null : NormalizationOps.perChannel(ctx, b, m, "DeformConv bias B");
        Shape os = ConvOps.outShape(n, m, win.out());
        NnTensors.checkedSize(ctx, os, "DeformConv output");
        double[] xv = NnTensors.doubles(x), wv = NnTensors.doubles(w), ov = NnTensors.doubles(off);
        double[] mv = mask == null ? null : NnTensors.doubles(mask);
        int cg = c / group, mg = m / group, cPerOg = c / og;
        long sh = win.strides()[0], sw = win.strides()[1], dh = win.dilations()[0], dw = win.dilations()[1];
        long ph = win.padBegin()[0], pw = win.padBegin()[1];
        double[] y = new double[(int) os.numel()];
        double[] cols = new double[c * kc];  // sampled input values for one output position: (channel, tap)
        for (int bi = 0; bi < n; bi++)
            for (int yy = 0; yy < oh; yy++)
                for (int xx = 0; xx < ow; xx++) {
                    for (int ch = 0; ch < c; ch++) {
                        int g = ch / cPerOg;
                        for (int i = 0; i < kh; i++)
                            for (int j = 0; j < kw; j++) {
                                int tap = i * kw + j;
                                int oc = ((bi * og + g) * 2 * kc + 2 * tap) * oh * ow + yy * ow + xx;
                                double py = yy * sh - ph + i * dh + ov[oc];
                                double px = xx * sw - pw + j * dw + ov[oc + oh * ow];
                                double v = bilinear(xv, (bi * c + ch) * h * wd, h, wd, py, px);
                                if (mv != null) v *= mv[((bi * og + g) * kc + tap) * oh * ow + yy * ow + xx];
                                cols[ch * kc + tap] = v;
                            }
                    }
                    for (int o = 0; o < m; o++) {
                        int g = o / mg;
                        double acc = bias == null ? 0 : bias[o];
                        for (int ic = 0; ic < cg; ic++)
                            for (int t = 0; t < kc; t++) acc += cols[(g * cg + ic) * kc + t] * wv[(o * cg + ic) * kc + t];
                        y[((bi * m + o) * oh + yy) * ow + xx] = acc;
                    }
                }
        return NnTensors.fromDoubles(x.dtype(), os, y);
    }

    /** Bilinear sample of one H x W plane at (py, px); corners outside the plane count as zero. */
    static double bilinear(double[] v, int base, int h, int w, double py, double px) {
        if (py <= -1 || py >= h || px <= -1 || px >= w) return 0;
        int y0 = (int) Math.floor(py), x0 = (int) Math.floor(px);
        double fy = py - y0, fx = px - x0;
        double acc = 0;
        for (int dy = 0; dy <= 1; dy++)
            for (int dx = 0; dx <= 1; dx++) {
                int yy = y0 + dy, xx = x0 + dx;
                if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                double wgt = (dy == 0 ? 1 - fy : fy) * (dx == 0 ? 1 - fx : fx);
                acc += wgt * v[base + yy * w + xx];
            }
        return acc;
    }
}
