package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.Tensor;

/**
 * ONNX GridSample (16: 2-D, bilinear/nearest/bicubic; 20+: N-D, linear/nearest/cubic). X is (N, C, D1..Dk), grid
 * is (N, O1..Ok, k) holding normalised coordinates in [-1, 1] with the innermost spatial axis first (x, y, z...).
 *
 * <p>Follows the reference (PyTorch grid_sampler): coordinates are denormalised with or without align_corners,
 * coordinates outside the border range are clamped (border) or reflected (reflection) before interpolation, and
 * then every tap is fetched with the same padding rule (zeros gives 0 outside). Nearest rounds half to even in
 * every rank (the suite's 3-D expectations use half-to-even too).
 */
final class GridSampleKernel {
    private GridSampleKernel() {}

    private static final int ZEROS = 0, BORDER = 1, REFLECTION = 2;

    static Object[] run(KernelContext ctx) {
        Tensor xT = ctx.input(0), gT = ctx.input(1);
        AttnIo.requireFloat(ctx, xT, "X");
        int k = xT.rank() - 2;
        if (k < 1) throw ctx.fail("X must be (N, C, D1, ...), got shape " + xT.shape());
        if (ctx.opsetVersion() < 20 && k != 2) throw ctx.fail("GridSample-16 supports 4-D X only, got " + xT.shape());
        if (gT.rank() != k + 2 || gT.shape().dim(0) != xT.shape().dim(0) || gT.shape().dim(k + 1) != k)
            throw ctx.fail("grid shape " + gT.shape() + " must be (N, O1..O" + k + ", " + k + ") for X " + xT.shape());
        String mode = switch (ctx.attrString("mode")) {
            case "bilinear", "linear" -> "linear";
            case "bicubic", "cubic" -> "cubic";
            case "nearest" -> "nearest";
            default -> throw ctx.fail("unknown mode '" + ctx.attrString("mode") + "'");
        };
        int pad = switch (ctx.attrString("padding_mode")) {
            case "zeros" -> ZEROS;
            case "border" -> BORDER;
            case "reflection" -> REFLECTION;
            default -> throw ctx.fail("unknown padding_mode '" + ctx.attrString("padding_mode") + "'");
        };
        boolean align = ctx.attrInt("align_corners") != 0;

        int n = (int) xT.shape().dim(0), c = (int) xT.shape().dim(1);
        int[] dims = new int[k];
        int plane = 1;
        for (int i = 0; i < k; i++) { dims[i] = (int) xT.shape().dim(i + 2); plane *= dims[i]; }
        int outPlane = 1;
        long[] outDims = new long[k + 2];
        outDims[0] = n; outDims[1] = c;
        for (int i = 0; i < k; i++) { outDims[i + 2] = gT.shape().dim(i + 1); outPlane *= (int) outDims[i + 2]; }
        AttnIo.checkedSize(ctx, outDims);
        if (plane == 0 && (long) n * c * outPlane > 0) throw ctx.fail("X " + xT.shape() + " has an empty spatial axis to sample from");
        double[] x = AttnIo.doubles(xT), g = AttnIo.doubles(gT), y = new double[n * c * outPlane];
        int[] strides = new int[k];
        for (int i = k - 1, s = 1; i >= 0; i--) { strides[i] = s; s *= dims[i]; }
        double[] lo = new double[k], hi = new double[k];
        for (int i = 0; i < k; i++) { lo[i] = align ? 0 : -0.5; hi[i] = align ? dims[i] - 1 : dims[i] - 0.5; }

        int taps = mode.equals("linear") ? 2 : mode.equals("cubic") ? 4 : 1;
        int[][] idx = new int[k][taps];        // per-axis source index of each tap, -1 when it reads zero padding
        double[][] w = new double[k][taps];
        double[] coord = new double[k];
        int[] tap = new int[k];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < outPlane; o++) {
                int gOff = (b * outPlane + o) * k;
                for (int i = 0; i < k; i++) {
                    double nv = g[gOff + (k - 1 - i)];   // grid's last axis runs innermost-first
                    double v = (float) (align ? (nv + 1) / 2.0 * (dims[i] - 1) : ((nv + 1) * dims[i] - 1) / 2.0);
                    if (mode.equals("nearest")) v = Math.rint(v);
                    if (v < lo[i] || v > hi[i]) {
                        if (pad == BORDER) v = Math.min(Math.max(v, 0), dims[i] - 1);
                        else if (pad == REFLECTION) v = reflect(v, lo[i], hi[i]);
                    }
                    coord[i] = v;
                    axisTaps(mode, v, dims[i], pad, lo[i], hi[i], idx[i], w[i]);
                }
                for (int ch = 0; ch < c; ch++) {
                    int xBase = (b * c + ch) * plane;
                    double sum = 0;
                    java.util.Arrays.fill(tap, 0);
                    outer:
                    while (true) {
                        double wt = 1;
                        int off = xBase;
                        boolean zero = false;
                        for (int i = 0; i < k; i++) {
                            int j = idx[i][tap[i]];
                            if (j < 0) { zero = true; break; }
                            wt *= w[i][tap[i]];
                            off += j * strides[i];
                        }
                        if (!zero) sum += wt * x[off];
                        for (int i = k - 1; i >= 0; i--) {
                            if (++tap[i] < taps) continue outer;
                            tap[i] = 0;
                        }
                        break;
                    }
                    y[(b * c + ch) * outPlane + o] = sum;
                }
            }
        }
        return new Object[]{AttnIo.tensor(xT.dtype(), outDims, y)};
    }

    /** The taps of one axis for source coordinate v: indices after padding (-1 for zero padding) and weights. */
    private static void axisTaps(String mode, double v, int len, int pad, double lo, double hi, int[] idx, double[] w) {
        if (mode.equals("nearest")) {
            idx[0] = fetch((int) v, len, pad, lo, hi);
            w[0] = 1;
            return;
        }
        int x0 = (int) Math.floor(v);
        double t = v - x0;
        if (mode.equals("linear")) {
            idx[0] = fetch(x0, len, pad, lo, hi); w[0] = 1 - t;
            idx[1] = fetch(x0 + 1, len, pad, lo, hi); w[1] = t;
            return;
        }
        final double a = -0.75;
        w[0] = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a;
        w[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
        w[2] = ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1;
        w[3] = ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a;
        for (int q = 0; q < 4; q++) idx[q] = fetch(x0 - 1 + q, len, pad, lo, hi);
    }

    /** Index actually read for integer position i under the padding mode; -1 means the value is zero. */
    private static int fetch(int i, int len, int pad, double lo, double hi) {
        if (i >= 0 && i < len) return i;
        return switch (pad) {
            case ZEROS -> -1;
            case BORDER -> i < 0 ? 0 : len - 1;
            default -> {
                int r = (int) reflect(i, lo, hi);
                yield Math.min(Math.max(r, 0), len - 1);
            }
        };
    }

    /** Reflects x into [lo, hi] by folding at the nearer border until it lies inside. */
    static double reflect(double x, double lo, double hi) {
        double range = hi - lo;
        if (range <= 0) return lo;
        if (x < lo) {
            double dx = lo - x;
            long n = (long) (dx / range);
            double r = dx - n * range;
            return n % 2 == 0 ? lo + r : hi - r;
        }
        if (x > hi) {
            double dx = x - hi;
            long n = (long) (dx / range);
            double r = dx - n * range;
            return n % 2 == 0 ? hi - r : lo + r;
        }
        return x;
    }
}
