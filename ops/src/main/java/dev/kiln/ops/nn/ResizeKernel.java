package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.Tensor;

import java.util.Arrays;

/**
 * ONNX Resize (opsets 10, 11, 13, 18, 19) and Upsample (7, 9): nearest / linear / cubic interpolation.
 *
 * <p>Every mode is separable: each output coordinate along an axis maps to one source coordinate and a small set of
 * weighted taps. The kernel builds a tap table per axis, then resizes one axis at a time. Taps outside the input
 * are clamped to the edge (the reference pads with edge values) unless exclude_outside drops and renormalises them.
 * With tf_crop_and_resize a source coordinate outside the input on any axis yields extrapolation_value.
 */
final class ResizeKernel {
    private ResizeKernel() {}

    /** How nearest mode rounds the source coordinate; SIMPLE is the pre-opset-11 behaviour (floor, ceil when shrinking). */
    private enum Nearest { ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL, SIMPLE }

    /** Taps of one axis: for output index o, {@code n} (index, weight) pairs; {@code outside[o]} when extrapolated. */
    private record Taps(int n, int[] idx, double[] w, boolean[] outside) {}

    static Object[] resize(KernelContext ctx) {
        Tensor x = ctx.input(0);
        int opset = ctx.opsetVersion();
        Tensor roiT = null, scalesT, sizesT = null;
        if (opset < 11) {
            scalesT = ctx.input(1);
        } else {
            roiT = nonEmpty(ctx.optionalInput(1));
            scalesT = nonEmpty(ctx.optionalInput(2));
            sizesT = nonEmpty(ctx.optionalInput(3));
        }
        String mode = ctx.attrString("mode");
        String ctm = opset < 11 ? "asymmetric" : ctx.attrString("coordinate_transformation_mode");
        Nearest nearest = opset < 11 ? Nearest.SIMPLE : switch (ctx.attrString("nearest_mode")) {
            case "round_prefer_floor" -> Nearest.ROUND_PREFER_FLOOR;
            case "round_prefer_ceil" -> Nearest.ROUND_PREFER_CEIL;
            case "floor" -> Nearest.FLOOR;
            case "ceil" -> Nearest.CEIL;
            default -> throw ctx.fail("unknown nearest_mode '" + ctx.attrString("nearest_mode") + "'");
        };
        double cubicA = opset < 11 ? -0.75 : ctx.attrFloat("cubic_coeff_a");
        boolean excludeOutside = opset >= 11 && ctx.attrInt("exclude_outside") != 0;
        double extrapolation = opset < 11 ? 0 : ctx.attrFloat("extrapolation_value");
        boolean antialias = opset >= 18 && ctx.attrInt("antialias") != 0;
        String policy = opset >= 18 ? ctx.attrString("keep_aspect_ratio_policy") : "stretch";
        long[] axesAttr = opset >= 18 ? ctx.attrInts("axes") : null;
        return new Object[]{run(ctx, x, roiT, scalesT, sizesT, mode, ctm, nearest, cubicA, excludeOutside,
                extrapolation, antialias, policy, axesAttr)};
    }

    /** Upsample-7 (scales attribute) and Upsample-9 (scales input): asymmetric coordinates, floor for nearest. */
    static Object[] upsample(KernelContext ctx) {
        Tensor x = ctx.input(0);
        Tensor scalesT;
        if (ctx.opsetVersion() < 9) {
            float[] s = ctx.attrFloats("scales");
            if (s == null) throw ctx.fail("attribute 'scales' is required");
            scalesT = Tensor.of(s, s.length);
        } else {
            scalesT = ctx.input(1);
        }
        return new Object[]{run(ctx, x, null, scalesT, null, ctx.attrString("mode"), "asymmetric", Nearest.SIMPLE,
                -0.75, false, 0, false, "stretch", null)};
    }

    private static Tensor nonEmpty(Tensor t) { return t == null || t.numel() == 0 ? null : t; }

    private static Tensor run(KernelContext ctx, Tensor x, Tensor roiT, Tensor scalesT, Tensor sizesT, String mode,
                              String ctm, Nearest nearest, double cubicA, boolean excludeOutside, double extrapolation,
                              boolean antialias, String policy, long[] axesAttr) {
        int r = x.rank();
        long[] in = x.shape().dims();
        int[] axes = normalizeAxes(ctx, axesAttr, r);
        if (scalesT == null && sizesT == null) throw ctx.fail("one of 'scales' and 'sizes' is required");
        if (scalesT != null && sizesT != null) throw ctx.fail("only one of 'scales' and 'sizes' may be given");
        if (!mode.equals("nearest") && !mode.equals("linear") && !mode.equals("cubic"))
            throw ctx.fail("unknown mode '" + mode + "'");
        if (antialias && mode.equals("nearest")) throw ctx.fail("antialias is not supported with mode 'nearest'");

        double[] scale = new double[r];
        long[] out = in.clone();
        Arrays.fill(scale, 1.0);
        if (scalesT != null) {
            double[] s = scalesT.toDoubleArray();
            if (s.length != axes.length) throw ctx.fail("scales has " + s.length + " entries, expected " + axes.length);
            for (int i = 0; i < axes.length; i++) {
                if (!(s[i] > 0)) throw ctx.fail("scales must be positive, got " + s[i]);
                int a = axes[i];
                scale[a] = (float) s[i];
                out[a] = (long) (scale[a] * in[a]);
            }
        } else {
            long[] sz = sizesT.toLongArray();
            if (sz.length != axes.length) throw ctx.fail("sizes has " + sz.length + " entries, expected " + axes.length);
            for (int i = 0; i < axes.length; i++) {
                if (sz[i] < 0) throw ctx.fail("sizes must be non-negative, got " + sz[i]);
                int a = axes[i];
                out[a] = sz[i];
                scale[a] = in[a] == 0 ? 1.0 : (double) sz[i] / in[a];
            }
            if (!policy.equals("stretch")) {
                double s;
                if (policy.equals("not_larger")) { s = Double.POSITIVE_INFINITY; for (int a : axes) s = Math.min(s, scale[a]); }
                else if (policy.equals("not_smaller")) { s = 0; for (int a : axes) s = Math.max(s, scale[a]); }
                else throw ctx.fail("unknown keep_aspect_ratio_policy '" + policy + "'");
                for (int a : axes) { scale[a] = s; out[a] = (long) (s * in[a] + 0.5); }
            }
        }
        AttnIo.checkedSize(ctx, out);

        double[] roi = new double[2 * r];
        for (int a = 0; a < r; a++) { roi[a] = 0; roi[r + a] = 1; }
        if (roiT != null && ctm.equals("tf_crop_and_resize")) {
            double[] rv = roiT.toDoubleArray();
            if (rv.length != 2 * axes.length) throw ctx.fail("roi has " + rv.length + " entries, expected " + 2 * axes.length);
            for (int i = 0; i < axes.length; i++) { roi[axes[i]] = rv[i]; roi[r + axes[i]] = rv[axes.length + i]; }
        } else if (ctm.equals("tf_crop_and_resize")) {
            throw ctx.fail("coordinate_transformation_mode 'tf_crop_and_resize' needs the roi input");
        }

        double[] data = AttnIo.doubles(x);
        long[] cur = in.clone();
        boolean[][] outsideByAxis = new boolean[r][];
        for (int a = 0; a < r; a++) {
            boolean crop = ctm.equals("tf_crop_and_resize") && (roi[a] != 0 || roi[r + a] != 1);
            if (out[a] == in[a] && scale[a] == 1.0 && !crop) continue;
            Taps t = taps(ctx, (int) in[a], (int) out[a], scale[a], roi[a], roi[r + a], mode, ctm, nearest, cubicA,
                    excludeOutside, antialias);
            long[] next = cur.clone();
            next[a] = out[a];
            AttnIo.checkedSize(ctx, next);   // intermediate shapes mix input and output sizes
            data = resizeAxis(data, cur, a, t);
            cur[a] = out[a];
            outsideByAxis[a] = t.outside;
        }
        if (ctm.equals("tf_crop_and_resize")) fillOutside(data, out, outsideByAxis, extrapolation);
        return AttnIo.tensor(x.dtype(), out, data);
    }

    private static int[] normalizeAxes(KernelContext ctx, long[] axesAttr, int r) {
        if (axesAttr == null) {
            int[] all = new int[r];
            for (int i = 0; i < r; i++) all[i] = i;
            return all;
        }
        int[] axes = new int[axesAttr.length];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < axes.length; i++) {
            long a = axesAttr[i] < 0 ? axesAttr[i] + r : axesAttr[i];
            if (a < 0 || a >= r || seen[(int) a]) throw ctx.fail("invalid or repeated axis " + axesAttr[i] + " for rank " + r);
            seen[(int) a] = true;
            axes[i] = (int) a;
        }
        return axes;
    }

    /** Source coordinate of output index {@code o} along one axis. */
    private static double sourceCoord(String ctm, double o, double scale, int inLen, int outLen, double roiStart, double roiEnd) {
        double outW = scale * inLen;   // the reference uses the unrounded output length
        return switch (ctm) {
            case "half_pixel" -> (o + 0.5) / scale - 0.5;
            case "half_pixel_symmetric" -> {
                double adjustment = outLen / outW;
                double center = inLen / 2.0;
                yield center * (1 - adjustment) + (o + 0.5) / scale - 0.5;
            }
            case "pytorch_half_pixel" -> outW == 1 ? -0.5 : (o + 0.5) / scale - 0.5;
            case "align_corners" -> outW == 1 ? 0 : o * (inLen - 1) / (outW - 1);
            case "asymmetric" -> o / scale;
            case "tf_half_pixel_for_nn" -> (o + 0.5) / scale;   // opset 11 only
            case "tf_crop_and_resize" -> {
                double v = outW == 1 ? (roiEnd - roiStart) * (inLen - 1) / 2 : o * (roiEnd - roiStart) * (inLen - 1) / (outW - 1);
                yield v + roiStart * (inLen - 1);
            }
            default -> throw new IllegalArgumentException("unknown coordinate_transformation_mode '" + ctm + "'");
        };
    }

    private static Taps taps(KernelContext ctx, int inLen, int outLen, double scale, double roiStart, double roiEnd,
                             String mode, String ctm, Nearest nearest, double cubicA, boolean excludeOutside,
                             boolean antialias) {
        double s = Math.min(scale, 1.0);
        // Antialiasing widens the filter by 1/scale; refuse scales that would make it absurdly wide.
        if (antialias && s < 1e-4) throw ctx.fail("antialias with scale " + scale + " is too small");
        int start, n;   // taps cover base + start .. base + start + n - 1, where base = index left of the coordinate
        switch (mode) {
            case "nearest" -> { start = 0; n = 1; }
            case "linear" -> { start = antialias ? (int) Math.floor(-1 / s) + 1 : 0; n = antialias ? 2 - 2 * start : 2; }
            default -> { start = antialias ? (int) Math.floor(-2 / s) + 1 : -1; n = antialias ? 2 - 2 * start : 4; }
        }
        if (inLen == 0 && outLen > 0) throw ctx.fail("cannot resize an empty axis to " + outLen);
        int[] idx = new int[AttnIo.checkedSize(ctx, outLen, n)];
        double[] w = new double[outLen * n];
        boolean[] outside = new boolean[outLen];
        double[] c = new double[n];
        for (int o = 0; o < outLen; o++) {
            double xo;
            try {
                xo = sourceCoord(ctm, o, scale, inLen, outLen, roiStart, roiEnd);
            } catch (IllegalArgumentException e) {
                throw ctx.fail(e.getMessage());
            }
            if (ctm.equals("tf_crop_and_resize") && (xo < 0 || xo > inLen - 1)) outside[o] = true;
            // The left neighbour and the fraction in (0, 1]: an exact integer coordinate counts as fraction 1 of
            // the cell to its left, which is how the reference orders its taps.
            double fl = Math.floor(xo);
            int base;
            double ratio;
            if (xo == fl) { base = (int) fl - 1; ratio = 1; } else { base = (int) fl; ratio = xo - fl; }
            if (mode.equals("nearest")) {
                boolean right = switch (nearest) {
                    case ROUND_PREFER_FLOOR -> ratio > 0.5;
                    case ROUND_PREFER_CEIL -> ratio >= 0.5;
                    case FLOOR -> ratio == 1;
                    case CEIL -> true;
                    case SIMPLE -> scale < 1 ? true : ratio == 1;
                };
                idx[o] = clamp(right ? base + 1 : base, inLen);
                w[o] = 1;
                continue;
            }
            if (mode.equals("linear")) {
                if (antialias) {
                    double sum = 0;
                    for (int k = 0; k < n; k++) { c[k] = Math.max(0, 1 - Math.abs((start + k - ratio) * s)); sum += c[k]; }
                    for (int k = 0; k < n; k++) c[k] /= sum;
                } else {
                    c[0] = 1 - ratio; c[1] = ratio;
                }
            } else if (antialias) {
                double sum = 0;
                for (int k = 0; k < n; k++) { c[k] = cubic(s * (start + k - ratio), cubicA); sum += c[k]; }
                for (int k = 0; k < n; k++) c[k] /= sum;
            } else {
                for (int k = 0; k < 4; k++) c[k] = cubic(start + k - ratio, cubicA);
            }
            if (excludeOutside) {
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    int j = base + start + k;
                    if (j < 0 || j >= inLen) c[k] = 0;
                    sum += c[k];
                }
                for (int k = 0; k < n; k++) c[k] = sum == 0 ? 0 : c[k] / sum;
            }
            for (int k = 0; k < n; k++) {
                idx[o * n + k] = clamp(base + start + k, inLen);
                w[o * n + k] = c[k];
            }
        }
        return new Taps(n, idx, w, outside);
    }

    /** Keys' cubic convolution kernel with parameter A. */
    private static double cubic(double x, double a) {
        x = Math.abs(x);
        if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        return 0;
    }

    private static int clamp(int i, int len) { return i < 0 ? 0 : i >= len ? len - 1 : i; }

    /** Resizes axis {@code a} of a dense array with dims {@code dims}. */
    private static double[] resizeAxis(double[] src, long[] dims, int a, Taps t) {
        int outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= (int) dims[i];
        for (int i = a + 1; i < dims.length; i++) inner *= (int) dims[i];
        int inLen = (int) dims[a], outLen = t.outside.length, n = t.n;
        double[] dst = new double[outer * outLen * inner];
        for (int p = 0; p < outer; p++) {
            int srcBase = p * inLen * inner, dstBase = p * outLen * inner;
            for (int o = 0; o < outLen; o++) {
                int d = dstBase + o * inner;
                for (int k = 0; k < n; k++) {
                    double wk = t.w[o * n + k];
                    if (wk == 0) continue;
                    int sb = srcBase + t.idx[o * n + k] * inner;
                    for (int q = 0; q < inner; q++) dst[d + q] += wk * src[sb + q];
                }
            }
        }
        return dst;
    }

    /** tf_crop_and_resize: positions whose source lies outside the input on any axis take the extrapolation value. */
    private static void fillOutside(double[] data, long[] dims, boolean[][] outside, double value) {
        int r = dims.length;
        int[] pos = new int[r];
        for (int i = 0; i < data.length; i++) {
            for (int a = 0; a < r; a++) {
                if (outside[a] != null && outside[a][pos[a]]) { data[i] = value; break; }
            }
            for (int a = r - 1; a >= 0; a--) {
                if (++pos[a] < dims[a]) break;
                pos[a] = 0;
            }
        }
    }
}
