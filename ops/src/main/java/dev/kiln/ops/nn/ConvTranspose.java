package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.Arrays;

/**
 * ConvTranspose: X (N, C, in...), W (C, M/group, k...) -> (N, M, out...). Each input element scatters
 * {@code x * w} to output position {@code i * stride + k * dilation - pad_begin}. Output size and pads follow
 * the spec: explicit pads, or {@code output_shape}/auto_pad generating pads from the total padding.
 */
final class ConvTranspose {
    private ConvTranspose() {}

    /**
     * The transposed-convolution geometry: {@link Window#out()} is the output size and the pads are those the spec
     * derives (explicit, or generated from output_shape / SAME auto_pad). Shared by the kernel and inference.
     */
    static Window geometry(Window.Attrs ctx, long[] in, long[] k) {
        int r = in.length;
        long[] s = Window.ints(ctx, "strides", r, 1), d = Window.ints(ctx, "dilations", r, 1);
        long[] op = Window.ints(ctx, "output_padding", r, 0);
        long[] pads = ctx.ints("pads");
        long[] outShapeAttr = ctx.ints("output_shape");
        String autoPad = ctx.string("auto_pad") == null ? "NOTSET" : ctx.string("auto_pad");
        long[] pb = new long[r], pe = new long[r], out = new long[r];
        for (int i = 0; i < r; i++) {
            if (s[i] <= 0 || d[i] <= 0 || k[i] <= 0) throw ctx.fail("kernel, strides and dilations must be positive");
            long full = s[i] * (in[i] - 1) + op[i] + (k[i] - 1) * d[i] + 1;
            long target = -1;
            if (outShapeAttr != null && outShapeAttr.length > 0) {
                if (outShapeAttr.length != r && outShapeAttr.length != r + 2)
                    throw ctx.fail("output_shape " + Arrays.toString(outShapeAttr) + " must have " + r + " spatial values");
                target = outShapeAttr[outShapeAttr.length - r + i];
            } else if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
                target = in[i] * s[i];
            }
            if (target >= 0) {
                long total = full - target;
                // The spec splits with the larger half at the end only for SAME_UPPER. Floor division as in the
                // reference: a negative total (output_shape above the natural size) becomes a negative end pad,
                // which extends the output.
                long half = Math.floorDiv(total, 2);
                if (autoPad.equals("SAME_UPPER")) { pb[i] = half; pe[i] = total - half; }
                else { pb[i] = total - half; pe[i] = half; }
                out[i] = target;
            } else {
                if (!autoPad.equals("VALID") && pads != null && pads.length > 0) {
                    if (pads.length != 2 * r) throw ctx.fail("pads must have " + 2 * r + " values, got " + Arrays.toString(pads));
                    pb[i] = pads[i];
                    pe[i] = pads[i + r];
                }
                out[i] = full - pb[i] - pe[i];
            }
            if (out[i] < 0) throw ctx.fail("ConvTranspose output size is negative on spatial axis " + i);
        }
        return new Window(in, k, s, d, pb, pe, out);
    }

    static Tensor run(KernelContext ctx) {
        Tensor x = ctx.input(0), w = ctx.input(1), b = ctx.optionalInput(2);
        NnTensors.requireMinRank(ctx, x, 3, "ConvTranspose input X");
        NnTensors.requireFloat(ctx, x, "ConvTranspose input X");
        long[] k = ConvOps.kernelShape(ctx, x, w);
        long[] in = ConvOps.spatial(x);
        int r = in.length;
        long group = ctx.attrInt("group");
        long c = x.shape().dim(1);
        if (group <= 0 || w.shape().dim(0) != c || c % group != 0)
            throw ctx.fail("group " + group + " does not fit X " + x.shape() + " and W " + w.shape());
        int cg = (int) (c / group), mg = (int) w.shape().dim(1), m = (int) (mg * group);
        Window geom = geometry(Window.Attrs.of(ctx), in, k);
        long[] s = geom.strides(), d = geom.dilations(), pb = geom.padBegin(), out = geom.out();
        int n = (int) x.shape().dim(0);
        Shape os = ConvOps.outShape(n, m, out);
        NnTensors.checkedSize(ctx, os, "ConvTranspose output");
        double[] bias = b == null ? null : NormalizationOps.perChannel(ctx, b, m, "ConvTranspose bias B");
        double[] xv = NnTensors.doubles(x), wv = NnTensors.doubles(w);
        int inSp = (int) NnTensors.product(in, 0, r), outSp = (int) NnTensors.product(out, 0, r);
        long[] kOff = geom.kernelOffsets();
        int kc = (int) geom.kernelCount();
        double[] y = new double[(int) os.numel()];
        long[] iIdx = new long[r];
        int[] outPos = new int[kc];
        for (int ip = 0; ip < inSp; ip++) {
            Window.unflatten(ip, in, iIdx);
            for (int kk = 0; kk < kc; kk++) {
                int flat = 0;
                boolean ok = true;
                for (int a = 0; a < r; a++) {
                    long p = iIdx[a] * s[a] + kOff[kk * r + a] * d[a] - pb[a];
                    if (p < 0 || p >= out[a]) { ok = false; break; }
                    flat = (int) (flat * out[a] + p);
                }
                outPos[kk] = ok ? flat : -1;
            }
            for (int bi = 0; bi < n; bi++)
                for (int ic = 0; ic < c; ic++) {
                    double xval = xv[(int) ((bi * c + ic) * inSp + ip)];
                    int g = ic / cg;
                    for (int mo = 0; mo < mg; mo++) {
                        int oc = g * mg + mo;
                        int wBase = (ic * mg + mo) * kc, yBase = (bi * m + oc) * outSp;
                        for (int kk = 0; kk < kc; kk++) if (outPos[kk] >= 0) y[yBase + outPos[kk]] += xval * wv[wBase + kk];
                    }
                }
        }
        if (bias != null) for (int i = 0; i < y.length; i++) y[i] += bias[(i / outSp) % m];
        return NnTensors.fromDoubles(x.dtype(), os, y);
    }
}
