package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

/**
 * Reference kernels of the signal ops: DFT (17, 20) and STFT (17). Complex values are stored as a trailing axis
 * of size 2 (real, imaginary); a trailing axis of size 1 is a real signal. Each line is transformed by
 * {@link SignalFft} in double precision and rounded once to the output type.
 */
final class SpectralKernels {
    private SpectralKernels() {}

    static Object[] dft(KernelContext ctx) {
        Tensor xT = ctx.input(0);
        AttnIo.requireFloat(ctx, xT, "input");
        int r = xT.rank();
        if (r < 2) throw ctx.fail("input must have rank >= 2 (..., signal, 1|2), got " + xT.shape());
        int comps = (int) xT.shape().dim(r - 1);
        if (comps != 1 && comps != 2) throw ctx.fail("last axis must be 1 (real) or 2 (complex), got " + comps);
        long axisL;
        if (ctx.opsetVersion() >= 20) {
            Tensor a = ctx.optionalInput(2);
            axisL = a == null || a.numel() == 0 ? -2 : a.getLong(0);
        } else {
            axisL = ctx.attrInt("axis");
        }
        int axis = (int) (axisL < 0 ? axisL + r : axisL);
        if (axis < 0 || axis >= r - 1) throw ctx.fail("axis " + axisL + " out of range for input rank " + r);
        Tensor lenT = ctx.optionalInput(1);
        boolean inverse = ctx.attrInt("inverse") != 0, onesided = ctx.attrInt("onesided") != 0;
        int len = (int) xT.shape().dim(axis);
        long nL;
        if (lenT != null && lenT.numel() > 0) nL = lenT.getLong(0);
        else nL = inverse && onesided ? 2L * (len - 1) : len;
        if (nL <= 0) throw ctx.fail("dft_length must be positive, got " + nL);
        int n = AttnIo.checkedSize(ctx, nL);
        if (inverse && onesided && comps != 2) throw ctx.fail("an inverse one-sided DFT needs a complex (half-spectrum) input");
        if (onesided && !inverse && comps != 1) throw ctx.fail("a one-sided DFT needs a real input");

        int outLen = onesided && !inverse ? n / 2 + 1 : n;
        int outComps = inverse && onesided ? 1 : 2;
        long[] outDims = xT.shape().dims();
        outDims[axis] = outLen;
        outDims[r - 1] = outComps;
        AttnIo.checkedSize(ctx, outDims);
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= (int) xT.shape().dim(i);
        for (int i = axis + 1; i < r - 1; i++) inner *= (int) xT.shape().dim(i);
        double[] x = AttnIo.doubles(xT), y = new double[outer * outLen * inner * outComps];
        double norm = inverse ? 1.0 / n : 1.0;
        double[] re = new double[n], im = new double[n];
        for (int p = 0; p < outer; p++) {
            for (int q = 0; q < inner; q++) {
                // Gather one line as a complex signal of length n (zero padded or truncated).
                java.util.Arrays.fill(re, 0);
                java.util.Arrays.fill(im, 0);
                if (inverse && onesided) {
                    // Hermitian half spectrum: X[k] up to n/2, conj(X[n - k]) above; bins the input lacks are 0.
                    for (int k = 0; k < n; k++) {
                        boolean mirrored = k > n / 2;
                        int src = mirrored ? n - k : k;
                        if (src >= len) continue;
                        int off = ((p * len + src) * inner + q) * comps;
                        re[k] = x[off];
                        im[k] = mirrored ? -x[off + 1] : x[off + 1];
                    }
                } else {
                    for (int t = 0; t < Math.min(len, n); t++) {
                        int off = ((p * len + t) * inner + q) * comps;
                        re[t] = x[off];
                        im[t] = comps == 2 ? x[off + 1] : 0;
                    }
                }
                SignalFft.transform(re, im, n, inverse ? 1 : -1);
                for (int k = 0; k < outLen; k++) {
                    int off = ((p * outLen + k) * inner + q) * outComps;
                    y[off] = re[k] * norm;
                    if (outComps == 2) y[off + 1] = im[k] * norm;
                }
            }
        }
        return new Object[]{AttnIo.tensor(xT.dtype(), outDims, y)};
    }

    /**
     * STFT (17): signal (B, L, 1|2), frame_step, optional window (W), optional frame_length; output
     * (B, frames, bins, 2) with frames = 1 + (L - frame_length) / frame_step and bins = frame_length / 2 + 1 when
     * onesided. Each frame is multiplied by the window (ones when absent) before its DFT.
     */
    static Object[] stft(KernelContext ctx) {
        Tensor sT = ctx.input(0), stepT = ctx.input(1), winT = ctx.optionalInput(2), lenT = ctx.optionalInput(3);
        AttnIo.requireFloat(ctx, sT, "signal");
        if (sT.rank() != 3) throw ctx.fail("signal must be (batch, length, 1|2), got " + sT.shape());
        int comps = (int) sT.shape().dim(2);
        if (comps != 1 && comps != 2) throw ctx.fail("signal's last axis must be 1 or 2, got " + comps);
        int b = (int) sT.shape().dim(0), len = (int) sT.shape().dim(1);
        long step = stepT.getLong(0);
        if (step <= 0) throw ctx.fail("frame_step must be positive, got " + step);
        long frameLen;
        if (lenT != null && lenT.numel() > 0) frameLen = lenT.getLong(0);
        else if (winT != null) frameLen = winT.numel();
        else throw ctx.fail("one of window and frame_length is required");
        if (frameLen <= 0 || frameLen > len) throw ctx.fail("frame_length " + frameLen + " must be in [1, " + len + "]");
        if (winT != null && winT.numel() != frameLen) throw ctx.fail("window length " + winT.numel() + " != frame_length " + frameLen);
        boolean onesided = ctx.attrInt("onesided") != 0;
        if (onesided && comps == 2) throw ctx.fail("onesided STFT needs a real signal");
        int n = (int) frameLen;
        int frames = (int) ((len - frameLen) / step + 1);
        int bins = onesided ? n / 2 + 1 : n;
        double[] s = AttnIo.doubles(sT), w = winT == null ? null : AttnIo.doubles(winT);
        double[] y = new double[AttnIo.checkedSize(ctx, b, frames, bins, 2)];
        double[] re = new double[n], im = new double[n];
        for (int bi = 0; bi < b; bi++) {
            for (int f = 0; f < frames; f++) {
                for (int t = 0; t < n; t++) {
                    int off = (bi * len + (int) (f * step) + t) * comps;
                    double wt = w == null ? 1 : w[t];
                    re[t] = s[off] * wt;
                    im[t] = comps == 2 ? s[off + 1] * wt : 0;
                }
                SignalFft.transform(re, im, n, -1);
                for (int k = 0; k < bins; k++) {
                    int off = ((bi * frames + f) * bins + k) * 2;
                    y[off] = re[k];
                    y[off + 1] = im[k];
                }
            }
        }
        return new Object[]{AttnIo.tensor(sT.dtype(), new long[]{b, frames, bins, 2}, y)};
    }

    static DType outputType(KernelContext ctx) {
        int code = (int) ctx.attrInt("output_datatype");
        DType t;
        try {
            t = DType.fromOnnx(code);
        } catch (IllegalArgumentException e) {
            throw ctx.fail("unsupported output_datatype " + code);
        }
        boolean ok = t.isFloatingPoint() ? !t.isFloat8OrSmaller() : t.isInteger() && !t.isSubByte();
        if (!ok) throw ctx.fail("output_datatype must be a float or integer type, got " + t);
        return t;
    }

    /** Generalised cosine window a0 - a1 cos(2 pi n / D) + a2 cos(4 pi n / D); D = N (periodic) or N - 1. */
    static Object[] window(KernelContext ctx, double a0, double a1, double a2) {
        Tensor sizeT = ctx.input(0);
        long size = sizeT.getLong(0);
        if (size < 0) throw ctx.fail("window size must be non-negative, got " + size);
        DType out = outputType(ctx);
        boolean periodic = ctx.attrInt("periodic") != 0;
        int n = AttnIo.checkedSize(ctx, size);
        double denom = periodic ? n : n - 1;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double t = denom == 0 ? 0 : 2 * Math.PI * i / denom;
            v[i] = a0 - a1 * Math.cos(t) + a2 * Math.cos(2 * t);
        }
        return new Object[]{AttnIo.tensor(out, new long[]{n}, v)};
    }

    /**
     * MelWeightMatrix (17): triangular filters between mel-spaced points, in the reference's integer bin
     * arithmetic. The mel edges are computed in float32 as the reference does with float inputs.
     */
    static Object[] melWeightMatrix(KernelContext ctx) {
        long mel = ctx.input(0).getLong(0), dftLen = ctx.input(1).getLong(0), rate = ctx.input(2).getLong(0);
        double lo = ctx.input(3).getDouble(0), hi = ctx.input(4).getDouble(0);
        if (mel <= 0 || dftLen <= 0 || rate <= 0) throw ctx.fail("num_mel_bins, dft_length and sample_rate must be positive");
        DType out = outputType(ctx);
        int bins = (int) (dftLen / 2 + 1);
        int m = AttnIo.checkedSize(ctx, mel);
        AttnIo.checkedSize(ctx, bins, m);
        boolean f32 = ctx.input(3).dtype() != DType.F64;
        double lowMel = melOf(lo, f32), highMel = melOf(hi, f32);
        double step = f32 ? (float) ((float) (highMel - lowMel) / (float) (m + 2)) : (highMel - lowMel) / (m + 2);
        long[] fb = new long[m + 2];
        for (int i = 0; i < m + 2; i++) {
            double f = i * step + lowMel;
            f = 700 * (Math.pow(10, f / 2595) - 1);
            fb[i] = (long) Math.floor((dftLen + 1) * f / rate);
        }
        double[] w = new double[bins * m];
        for (int i = 0; i < m; i++) {
            long left = fb[i], center = fb[i + 1], right = fb[i + 2];
            long lc = center - left;
            if (lc == 0) set(ctx, w, bins, m, center, i, 1);
            else for (long j = left; j <= center; j++) set(ctx, w, bins, m, j, i, (double) (j - left) / lc);
            long ch = right - center;
            if (ch > 0) for (long j = center; j < right; j++) set(ctx, w, bins, m, j, i, (double) (right - j) / ch);
        }
        return new Object[]{AttnIo.tensor(out, new long[]{bins, m}, w)};
    }

    private static double melOf(double hz, boolean f32) {
        if (!f32) return 2595 * Math.log10(1 + hz / 700);
        float ratio = (float) (1 + (float) (hz / 700));
        return (float) (2595f * (float) Math.log10(ratio));
    }

    private static void set(KernelContext ctx, double[] w, int bins, int m, long row, int col, double v) {
        if (row < 0 || row >= bins) throw ctx.fail("mel filter edge " + row + " falls outside the " + bins + " spectrogram bins");
        w[(int) row * m + col] = v;
    }
}
