package dev.kiln.ops.nn;

import dev.kiln.graph.Graph;
import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.List;

/**
 * ai.onnx.preview FlexAttention (1): 4-D scaled dot-product attention with GQA whose scores and probabilities can
 * be rewritten by user subgraphs. scores = (Q sqrt(scale)) (K sqrt(scale))^T of shape (B, Hq, L, S); the optional
 * score_mod graph maps scores to scores, softmax runs over the last axis, the optional prob_mod graph maps
 * probabilities to probabilities, and Y = probs V. Scores and probabilities are handed to the subgraphs as
 * float32 for 16-bit inputs (the softmax precision of the ONNX function body), else in the input's type.
 */
final class FlexAttentionKernel {
    private FlexAttentionKernel() {}

    static Object[] run(KernelContext ctx) {
        Tensor qT = ctx.input(0), kT = ctx.input(1), vT = ctx.input(2);
        AttnIo.requireFloat(ctx, qT, "Q");
        if (qT.rank() != 4 || kT.rank() != 4 || vT.rank() != 4)
            throw ctx.fail("Q, K and V must be 4-D (batch, heads, seq, dim), got " + qT.shape() + ", " + kT.shape() + ", " + vT.shape());
        int b = (int) qT.shape().dim(0), hq = (int) qT.shape().dim(1), l = (int) qT.shape().dim(2), d = (int) qT.shape().dim(3);
        int hkv = (int) kT.shape().dim(1), s = (int) kT.shape().dim(2), dv = (int) vT.shape().dim(3);
        if (kT.shape().dim(0) != b || vT.shape().dim(0) != b || kT.shape().dim(3) != d
                || vT.shape().dim(1) != hkv || vT.shape().dim(2) != s)
            throw ctx.fail("K " + kT.shape() + " and V " + vT.shape() + " do not match Q " + qT.shape());
        if (hkv == 0 || hq % hkv != 0) throw ctx.fail("Q heads " + hq + " must be a multiple of K/V heads " + hkv);
        int groups = hq / hkv;
        double scale = ctx.hasAttr("scale") ? ctx.attrFloat("scale") : 1.0 / Math.sqrt(d);
        double sq = Math.sqrt(scale);
        double[] q = AttnIo.doubles(qT), k = AttnIo.doubles(kT), v = AttnIo.doubles(vT);
        double[] scores = new double[AttnIo.checkedSize(ctx, b, hq, l, s)];
        for (int bi = 0; bi < b; bi++) for (int h = 0; h < hq; h++) {
            int kvBase = (bi * hkv + h / groups) * s;
            for (int i = 0; i < l; i++) {
                int qOff = ((bi * hq + h) * l + i) * d, row = ((bi * hq + h) * l + i) * s;
                for (int j = 0; j < s; j++) {
                    int kOff = (kvBase + j) * d;
                    double acc = 0;
                    for (int c = 0; c < d; c++) acc += (q[qOff + c] * sq) * (k[kOff + c] * sq);
                    scores[row + j] = acc;
                }
            }
        }
        DType work = qT.dtype() == DType.F16 || qT.dtype() == DType.BF16 ? DType.F32 : qT.dtype();
        long[] sDims = {b, hq, l, s};
        scores = applyMod(ctx, "score_mod", work, sDims, scores);
        for (int r = 0; r < b * hq * l; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < s; j++) max = Math.max(max, scores[r * s + j]);
            for (int j = 0; j < s; j++) { double e = Math.exp(scores[r * s + j] - max); scores[r * s + j] = e; sum += e; }
            for (int j = 0; j < s; j++) scores[r * s + j] /= sum;
        }
        scores = applyMod(ctx, "prob_mod", work, sDims, scores);
        double[] y = new double[AttnIo.checkedSize(ctx, b, hq, l, dv)];
        for (int bi = 0; bi < b; bi++) for (int h = 0; h < hq; h++) {
            int kvBase = (bi * hkv + h / groups) * s;
            for (int i = 0; i < l; i++) {
                int row = ((bi * hq + h) * l + i) * s, yOff = ((bi * hq + h) * l + i) * dv;
                for (int j = 0; j < s; j++) {
                    double p = scores[row + j];
                    int vOff = (kvBase + j) * dv;
                    for (int c = 0; c < dv; c++) y[yOff + c] += p * v[vOff + c];
                }
            }
        }
        return new Object[]{AttnIo.tensor(qT.dtype(), new long[]{b, hq, l, dv}, y)};
    }

    /** Runs the named modifier subgraph on the values when the node has one; its single output replaces them. */
    private static double[] applyMod(KernelContext ctx, String attr, DType work, long[] dims, double[] values) {
        if (!ctx.hasAttr(attr)) return values;
        Graph body = ctx.attrGraph(attr);
        Tensor in = AttnIo.tensor(work, dims, values);
        List<Object> out = ctx.runSubgraph(body, List.of(in));
        if (out.isEmpty() || !(out.get(0) instanceof Tensor t))
            throw ctx.fail(attr + " must produce one tensor");
        if (!t.shape().equals(in.shape()))
            throw ctx.fail(attr + " must keep the shape " + in.shape() + ", got " + t.shape());
        return AttnIo.doubles(t);
    }
}
