package dev.kiln.ops.nn;

/**
 * Direct N-D grouped convolution over dense double arrays: X (N, C, in...), W (M, C/group, k...), optional bias
 * (M) -> (N, M, out...). Positions that fall in the padding contribute nothing. Integer convolutions reuse it:
 * their products and sums stay far below 2^53, so double arithmetic is exact.
 */
final class DirectConv {
    private DirectConv() {}

    /** Largest im2col buffer (elements) worth building; beyond it the direct loop runs without extra memory. */
    private static final long MAX_COLUMNS = 1L << 24;

    static double[] forward(Window w, double[] x, int n, int c, double[] wt, int m, int group, double[] bias) {
        long cols = (long) (c / group) * w.kernelCount() * w.outCount();
        if (cols <= MAX_COLUMNS && cols > 0) return viaColumns(w, x, n, c, wt, m, group, bias);
        return direct(w, x, n, c, wt, m, group, bias);
    }

    /**
     * im2col + the tiled GEMM: per image and group, a (C/group * taps) x outputs matrix of input samples (zeros in
     * the padding) times W's (M/group) x (C/group * taps) rows. Each output sums the same products in the same
     * order (channel-major, then tap) as {@link #direct}, starting from the bias, so for finite inputs both paths
     * agree bit for bit (padding taps add an explicit 0 * w here, as zero-padding implementations do).
     */
    static double[] viaColumns(Window w, double[] x, int n, int c, double[] wt, int m, int group, double[] bias) {
        int r = w.rank();
        int outSp = (int) w.outCount(), inSp = (int) w.inCount(), kc = (int) w.kernelCount();
        int cg = c / group, mg = m / group, rows = cg * kc;
        int[] inPos = inputPositions(w);
        double[] col = new double[rows * outSp];
        double[] y = new double[n * m * outSp];
        for (int b = 0; b < n; b++)
            for (int g = 0; g < group; g++) {
                for (int ic = 0; ic < cg; ic++) {
                    int xBase = (b * c + g * cg + ic) * inSp;
                    for (int k = 0; k < kc; k++) {
                        int row = (ic * kc + k) * outSp;
                        for (int o = 0; o < outSp; o++) {
                            int p = inPos[o * kc + k];
                            col[row + o] = p >= 0 ? x[xBase + p] : 0;
                        }
                    }
                }
                int yBase = (b * m + g * mg) * outSp;
                if (bias != null)
                    for (int oc = 0; oc < mg; oc++) java.util.Arrays.fill(y, yBase + oc * outSp, yBase + (oc + 1) * outSp, bias[g * mg + oc]);
                MatMulOps.gemmAccumulate(wt, g * mg * rows, false, col, 0, false, y, yBase, mg, outSp, rows, 1.0);
            }
        return y;
    }

    /** For every (output position, tap): the input spatial flat index, or -1 when it falls in the padding. */
    private static int[] inputPositions(Window w) {
        int r = w.rank();
        int outSp = (int) w.outCount(), kc = (int) w.kernelCount();
        long[] kOff = w.kernelOffsets(), oIdx = new long[r];
        int[] pos = new int[outSp * kc];
        for (int o = 0; o < outSp; o++) {
            Window.unflatten(o, w.out(), oIdx);
            taps(w, oIdx, kOff, kc, pos, o * kc);
        }
        return pos;
    }

    /** For the output at {@code oIdx}: each tap's input spatial flat index into {@code dst[off..off+kc)}, -1 when padded. */
    private static void taps(Window w, long[] oIdx, long[] kOff, int kc, int[] dst, int off) {
        int r = w.rank();
        for (int k = 0; k < kc; k++) {
            int flat = 0;
            boolean ok = true;
            for (int a = 0; a < r; a++) {
                long p = oIdx[a] * w.strides()[a] - w.padBegin()[a] + kOff[k * r + a] * w.dilations()[a];
                if (p < 0 || p >= w.in()[a]) { ok = false; break; }
                flat = (int) (flat * w.in()[a] + p);
            }
            dst[off + k] = ok ? flat : -1;
        }
    }

    static double[] direct(Window w, double[] x, int n, int c, double[] wt, int m, int group, double[] bias) {
        int r = w.rank();
        int outSp = (int) w.outCount(), inSp = (int) w.inCount(), kc = (int) w.kernelCount();
        int cg = c / group, mg = m / group;
        long[] kOff = w.kernelOffsets();
        long[] oIdx = new long[r];
        double[] y = new double[n * m * outSp];
        int[] inPos = new int[kc];   // input spatial flat index per kernel offset for the current output, -1 when padded
        for (int o = 0; o < outSp; o++) {
            Window.unflatten(o, w.out(), oIdx);
            taps(w, oIdx, kOff, kc, inPos, 0);
            for (int b = 0; b < n; b++)
                for (int oc = 0; oc < m; oc++) {
                    int g = oc / mg;
                    double acc = bias == null ? 0 : bias[oc];
                    for (int ic = 0; ic < cg; ic++) {
                        int xBase = (b * c + g * cg + ic) * inSp;
                        int wBase = (oc * cg + ic) * kc;
                        for (int k = 0; k < kc; k++) {
                            int p = inPos[k];
                            if (p >= 0) acc += x[xBase + p] * wt[wBase + k];
                        }
                    }
                    y[(b * m + oc) * outSp + o] = acc;
                }
        }
        return y;
    }
}
