package dev.kiln.ops.nn;

/**
 * Direct N-D grouped convolution over dense double arrays: X (N, C, in...), W (M, C/group, k...), optional bias
 * (M) -> (N, M, out...). Positions that fall in the padding contribute nothing. Integer convolutions reuse it:
 * their products and sums stay far below 2^53, so double arithmetic is exact.
 */
final class DirectConv {
    private DirectConv() {}

    static double[] forward(Window w, double[] x, int n, int c, double[] wt, int m, int group, double[] bias) {
        int r = w.rank();
        int outSp = (int) w.outCount(), inSp = (int) w.inCount(), kc = (int) w.kernelCount();
        int cg = c / group, mg = m / group;
        long[] kOff = w.kernelOffsets();
        long[] oIdx = new long[r];
        double[] y = new double[n * m * outSp];
        int[] inPos = new int[kc];   // input spatial flat index per kernel offset for the current output, -1 when padded
        for (int o = 0; o < outSp; o++) {
            Window.unflatten(o, w.out(), oIdx);
            for (int k = 0; k < kc; k++) {
                int flat = 0;
                boolean ok = true;
                for (int a = 0; a < r; a++) {
                    long p = oIdx[a] * w.strides()[a] - w.padBegin()[a] + kOff[k * r + a] * w.dilations()[a];
                    if (p < 0 || p >= w.in()[a]) { ok = false; break; }
                    flat = (int) (flat * w.in()[a] + p);
                }
                inPos[k] = ok ? flat : -1;
            }
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
