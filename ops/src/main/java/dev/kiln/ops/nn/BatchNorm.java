package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * BatchNormalization kernel. Inference mode uses the given running statistics; training mode (opset 14+,
 * {@code training_mode=1}) normalises with the batch's own mean and population variance and also returns the
 * updated running statistics, {@code running = input * momentum + batch * (1 - momentum)}.
 */
final class BatchNorm {
    private BatchNorm() {}

    static Object[] run(KernelContext ctx) {
        Tensor x = ctx.input(0);
        NnTensors.requireMinRank(ctx, x, 2, "BatchNormalization input X");
        NnTensors.requireFloat(ctx, x, "BatchNormalization input X");
        long[] d = x.shape().dims();
        int n = (int) d[0], c = (int) d[1], sp = (int) NnTensors.product(d, 2, d.length);
        double eps = ctx.attrFloat("epsilon");
        double[] xv = NnTensors.doubles(x);
        // Opsets before 9 allow spatial=0: parameters then hold one value per (channel, spatial position).
        boolean perElement = ctx.opsetVersion() < 9 && ctx.attrInt("spatial") == 0 && ctx.input(1).numel() == (long) c * sp && sp != 1;
        int pw = perElement ? c * sp : c;
        double[] scale = params(ctx, 1, pw), bias = params(ctx, 2, pw), mean = params(ctx, 3, pw), var = params(ctx, 4, pw);
        boolean training = ctx.opsetVersion() >= 14 && ctx.attrInt("training_mode") != 0;
        double[] useMean = mean, useVar = var;
        double[] bMean = null, bVar = null;
        if (training) {
            bMean = new double[c];
            bVar = new double[c];
            double cnt = (double) n * sp;
            for (int b = 0; b < n; b++) for (int ch = 0; ch < c; ch++) for (int p = 0; p < sp; p++) bMean[ch] += xv[(b * c + ch) * sp + p];
            for (int ch = 0; ch < c; ch++) bMean[ch] /= cnt;
            for (int b = 0; b < n; b++) for (int ch = 0; ch < c; ch++) for (int p = 0; p < sp; p++) {
                double t = xv[(b * c + ch) * sp + p] - bMean[ch];
                bVar[ch] += t * t;
            }
            for (int ch = 0; ch < c; ch++) bVar[ch] /= cnt;
            useMean = bMean;
            useVar = bVar;
        }
        double[] y = new double[xv.length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < sp; p++) {
                    int i = (b * c + ch) * sp + p;
                    int k = perElement ? ch * sp + p : ch;
                    y[i] = (xv[i] - useMean[k]) / Math.sqrt(useVar[k] + eps) * scale[k] + bias[k];
                }
        Object[] out = new Object[Math.max(ctx.outputCount(), 1)];
        out[0] = NnTensors.fromDoubles(x.dtype(), x.shape(), y);
        if (training) {
            double mom = ctx.attrFloat("momentum");
            double[] rm = new double[c], rv = new double[c];
            for (int ch = 0; ch < c; ch++) {
                rm[ch] = mean[ch] * mom + bMean[ch] * (1 - mom);
                rv[ch] = var[ch] * mom + bVar[ch] * (1 - mom);
            }
            DType st = ctx.input(3).dtype();
            if (out.length > 1) out[1] = NnTensors.fromDoubles(st, Shape.of(c), rm);
            if (out.length > 2) out[2] = NnTensors.fromDoubles(st, Shape.of(c), rv);
        } else if (out.length > 1) {
            // Pre-14 opsets declared optional training outputs; in inference they echo the running statistics.
            if (out.length > 1) out[1] = ctx.input(3);
            if (out.length > 2) out[2] = ctx.input(4);
        }
        return out;
    }

    private static double[] params(KernelContext ctx, int i, int want) {
        Tensor p = ctx.input(i);
        if (p.numel() != want)
            throw ctx.fail("BatchNormalization input " + i + " must have " + want + " elements, got shape " + p.shape());
        return NnTensors.doubles(p);
    }
}
