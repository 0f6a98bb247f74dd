package dev.kiln.ops.nn;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

/**
 * ONNX Attention (opset 23, 24): scaled dot-product attention over 3-D (B, S, H*D) or 4-D (B, H, S, D) inputs with
 * MHA/GQA/MQA head sharing, a KV cache (past_key/past_value -> present_*), a bool or additive mask broadcast to
 * (B, Hq, Sq, T) whose last axis may be shorter than T (missing columns are masked), bottom-right aligned causal
 * masking, softcap, and per-batch key padding (nonpad_kv_seqlen, opset 24).
 *
 * <p>Numerics follow the ONNX function body: Q and K are each multiplied by sqrt(scale); softcap is applied to
 * the raw scores before the bias so masked positions stay -inf; a row whose bias is -inf everywhere yields zero
 * probabilities (not NaN). The optional qk output is the raw scores (mode 0), the softcapped scores (1), scores
 * plus bias (2), or the probabilities (3).
 */
final class AttentionKernel {
    private AttentionKernel() {}

    static Object[] run(KernelContext ctx) {
        Tensor qT = ctx.input(0), kT = ctx.input(1), vT = ctx.input(2);
        Tensor maskT = ctx.optionalInput(3), pastKT = ctx.optionalInput(4), pastVT = ctx.optionalInput(5);
        Tensor nonpadT = ctx.optionalInput(6);
        if (nonpadT != null && ctx.opsetVersion() < 24) throw ctx.fail("nonpad_kv_seqlen (input 6) needs opset 24, the model imports " + ctx.opsetVersion());
        AttnIo.requireFloat(ctx, qT, "Q");
        int rank = qT.rank();
        if (rank != 3 && rank != 4) throw ctx.fail("Q must be 3-D or 4-D, got shape " + qT.shape());
        if (kT.rank() != rank || vT.rank() != rank)
            throw ctx.fail("Q, K and V must have the same rank, got " + qT.shape() + ", " + kT.shape() + ", " + vT.shape());
        if ((pastKT == null) != (pastVT == null)) throw ctx.fail("past_key and past_value must be given together");

        int b = (int) qT.shape().dim(0);
        int hq, hkv, sq, skv, d, dv;
        if (rank == 4) {
            hq = (int) qT.shape().dim(1); sq = (int) qT.shape().dim(2); d = (int) qT.shape().dim(3);
            hkv = (int) kT.shape().dim(1); skv = (int) kT.shape().dim(2);
            dv = (int) vT.shape().dim(3);
            if (kT.shape().dim(3) != d) throw ctx.fail("K head size " + kT.shape().dim(3) + " != Q head size " + d);
            if (vT.shape().dim(1) != hkv || vT.shape().dim(2) != skv)
                throw ctx.fail("V shape " + vT.shape() + " does not match K shape " + kT.shape());
        } else {
            if (!ctx.hasAttr("q_num_heads") || !ctx.hasAttr("kv_num_heads"))
                throw ctx.fail("3-D inputs need the q_num_heads and kv_num_heads attributes");
            hq = (int) ctx.attrInt("q_num_heads");
            hkv = (int) ctx.attrInt("kv_num_heads");
            if (hq <= 0 || hkv <= 0) throw ctx.fail("q_num_heads and kv_num_heads must be positive");
            sq = (int) qT.shape().dim(1);
            skv = (int) kT.shape().dim(1);
            long hidQ = qT.shape().dim(2), hidK = kT.shape().dim(2), hidV = vT.shape().dim(2);
            if (hidQ % hq != 0 || hidK % hkv != 0 || hidV % hkv != 0)
                throw ctx.fail("hidden sizes " + hidQ + "/" + hidK + "/" + hidV + " are not divisible by heads " + hq + "/" + hkv);
            d = (int) (hidQ / hq);
            dv = (int) (hidV / hkv);
            if (hidK / hkv != d) throw ctx.fail("K head size " + hidK / hkv + " != Q head size " + d);
            if (vT.shape().dim(1) != skv) throw ctx.fail("V sequence length differs from K's");
        }
        if (kT.shape().dim(0) != b || vT.shape().dim(0) != b) throw ctx.fail("Q, K and V batch sizes differ");
        if (hkv == 0 || hq % hkv != 0) throw ctx.fail("q_num_heads " + hq + " is not a multiple of kv_num_heads " + hkv);
        int groups = hq / hkv;

        int past = 0;
        if (pastKT != null) {
            if (pastKT.rank() != 4 || pastKT.shape().dim(0) != b || pastKT.shape().dim(1) != hkv || pastKT.shape().dim(3) != d)
                throw ctx.fail("past_key shape " + pastKT.shape() + " must be (" + b + ", " + hkv + ", P, " + d + ")");
            past = (int) pastKT.shape().dim(2);
            if (pastVT.rank() != 4 || pastVT.shape().dim(0) != b || pastVT.shape().dim(1) != hkv
                    || pastVT.shape().dim(2) != past || pastVT.shape().dim(3) != dv)
                throw ctx.fail("past_value shape " + pastVT.shape() + " must be (" + b + ", " + hkv + ", " + past + ", " + dv + ")");
        }
        int total = past + skv;
        AttnIo.checkedSize(ctx, b, hq, sq, total);
        AttnIo.checkedSize(ctx, b, hkv, total, Math.max(d, dv));

        double[] q = AttnIo.doubles(qT);
        // Present K/V in (B, Hkv, T, D) layout: the cache followed by the new positions.
        double[] kAll = concatCache(pastKT, AttnIo.doubles(kT), b, hkv, past, skv, d, rank);
        double[] vAll = concatCache(pastVT, AttnIo.doubles(vT), b, hkv, past, skv, dv, rank);

        double scale = ctx.hasAttr("scale") ? ctx.attrFloat("scale") : 1.0 / Math.sqrt(d);
        double sqrtScale = Math.sqrt(scale);
        double softcap = ctx.attrFloat("softcap");
        int mode = (int) ctx.attrInt("qk_matmul_output_mode");
        if (mode < 0 || mode > 3) throw ctx.fail("qk_matmul_output_mode must be 0..3, got " + mode);
        boolean causal = ctx.attrInt("is_causal") != 0;

        Bias bias = new Bias(ctx, maskT, nonpadT, causal, past, b, hq, sq, total);

        // Q strides over the logical input layout, so 3-D inputs need no transpose.
        long qsB, qsH, qsS;
        if (rank == 4) { qsB = (long) hq * sq * d; qsH = (long) sq * d; qsS = d; }
        else { qsB = (long) sq * hq * d; qsH = d; qsS = (long) hq * d; }

        double[] y = new double[AttnIo.checkedSize(ctx, b, hq, sq, dv)];
        boolean wantQk = ctx.outputCount() > 3 && ctx.outputRequested(3);
        double[] qkOut = wantQk ? new double[b * hq * sq * total] : null;
        double[] scores = new double[total], biasRow = new double[total], qs = new double[d];

        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < hq; h++) {
                int kvh = h / groups;
                int kvBase = (bi * hkv + kvh) * total;
                for (int i = 0; i < sq; i++) {
                    long qOff = bi * qsB + h * qsH + i * qsS;
                    for (int c = 0; c < d; c++) qs[c] = q[(int) (qOff + c)] * sqrtScale;
                    boolean allMasked = bias.row(bi, h, i, biasRow);
                    int qkRow = ((bi * hq + h) * sq + i) * total;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < total; j++) {
                        int kOff = (kvBase + j) * d;
                        double s = 0;
                        for (int c = 0; c < d; c++) s += qs[c] * (kAll[kOff + c] * sqrtScale);
                        if (wantQk && mode == 0) qkOut[qkRow + j] = s;
                        if (softcap > 0) s = softcap * Math.tanh(s / softcap);
                        if (wantQk && mode == 1) qkOut[qkRow + j] = s;
                        s += biasRow[j];
                        if (wantQk && mode == 2) qkOut[qkRow + j] = s;
                        scores[j] = s;
                        if (s > max) max = s;
                    }
                    softmaxInPlace(scores, total, max, allMasked);
                    if (wantQk && mode == 3) System.arraycopy(scores, 0, qkOut, qkRow, total);
                    int yOff = rank == 4 ? ((bi * hq + h) * sq + i) * dv : ((bi * sq + i) * hq + h) * dv;
                    // No shortcut for zero probabilities: like the reference's MatMul, 0 * inf in V gives NaN.
                    for (int j = 0; j < total; j++) {
                        double p = scores[j];
                        int vOff = (kvBase + j) * dv;
                        for (int c = 0; c < dv; c++) y[yOff + c] += p * vAll[vOff + c];
                    }
                }
            }
        }

        DType dt = qT.dtype();
        Object[] out = new Object[Math.max(ctx.outputCount(), 1)];
        out[0] = rank == 4 ? AttnIo.tensor(dt, new long[]{b, hq, sq, dv}, y) : AttnIo.tensor(dt, new long[]{b, sq, (long) hq * dv}, y);
        if (out.length > 1 && ctx.outputRequested(1)) out[1] = AttnIo.tensor(kT.dtype(), new long[]{b, hkv, total, d}, kAll);
        if (out.length > 2 && ctx.outputRequested(2)) out[2] = AttnIo.tensor(vT.dtype(), new long[]{b, hkv, total, dv}, vAll);
        if (wantQk) out[3] = AttnIo.tensor(dt, new long[]{b, hq, sq, total}, qkOut);
        return out;
    }

    /** Softmax over the first n scores; a fully masked row (its bias all -inf) gives all zeros. */
    private static void softmaxInPlace(double[] s, int n, double max, boolean allMasked) {
        if (allMasked) { java.util.Arrays.fill(s, 0, n, 0.0); return; }
        double sum = 0;
        for (int j = 0; j < n; j++) { double e = Math.exp(s[j] - max); s[j] = e; sum += e; }
        for (int j = 0; j < n; j++) s[j] /= sum;
    }

    /** Cache ++ new positions in (B, H, T, D) order; 3-D new K/V are (B, S, H*D). */
    private static double[] concatCache(Tensor pastT, double[] cur, int b, int h, int past, int s, int d, int rank) {
        int total = past + s;
        double[] out = new double[b * h * total * d];
        double[] pastArr = pastT == null ? null : AttnIo.doubles(pastT);
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                int dst = (bi * h + hi) * total * d;
                if (pastArr != null) System.arraycopy(pastArr, (bi * h + hi) * past * d, out, dst, past * d);
                dst += past * d;
                for (int j = 0; j < s; j++) {
                    int src = rank == 4 ? ((bi * h + hi) * s + j) * d : ((bi * s + j) * h + hi) * d;
                    System.arraycopy(cur, src, out, dst + j * d, d);
                }
            }
        }
        return out;
    }

    /** The additive bias of one (batch, head, query) row: mask, causal frontier and key padding combined. */
    private static final class Bias {
        private final double[] mask;     // additive mask values (bool already mapped to 0 / -inf), or null
        private final long msB, msH, msI; // mask strides, 0 on broadcast axes
        private final int maskCols;
        private final boolean causal;
        private final int past, sq, total;
        private final long[] nonpad;

        Bias(KernelContext ctx, Tensor maskT, Tensor nonpadT, boolean causal, int past, int b, int hq, int sq, int total) {
            this.causal = causal;
            this.past = past;
            this.sq = sq;
            this.total = total;
            if (maskT != null) {
                int r = maskT.rank();
                if (r < 1 || r > 4) throw ctx.fail("attn_mask must have rank 1 to 4, got shape " + maskT.shape());
                long[] md = new long[4];
                java.util.Arrays.fill(md, 1);
                for (int i = 0; i < r; i++) md[4 - r + i] = maskT.shape().dim(i);
                if (md[3] > total) throw ctx.fail("attn_mask has " + md[3] + " key columns but there are only " + total + " keys");
                long[] want = {b, hq, sq};
                for (int i = 0; i < 3; i++)
                    if (md[i] != 1 && md[i] != want[i])
                        throw ctx.fail("attn_mask shape " + maskT.shape() + " does not broadcast to (" + b + ", " + hq + ", " + sq + ", " + total + ")");
                maskCols = (int) md[3];
                msI = md[2] == 1 ? 0 : maskCols;
                msH = md[1] == 1 ? 0 : md[2] * maskCols;
                msB = md[0] == 1 ? 0 : md[1] * md[2] * maskCols;
                if (maskT.dtype() == DType.BOOL) {
                    boolean[] bm = maskT.toBooleanArray();
                    mask = new double[bm.length];
                    for (int i = 0; i < bm.length; i++) mask[i] = bm[i] ? 0 : Double.NEGATIVE_INFINITY;
                } else {
                    mask = AttnIo.doubles(maskT);
                }
            } else {
                mask = null; msB = msH = msI = 0; maskCols = 0;
            }
            if (nonpadT != null) {
                if (nonpadT.dtype().isFloatingPoint()) throw ctx.fail("nonpad_kv_seqlen must be an integer tensor, got " + nonpadT.dtype());
                if (nonpadT.numel() != b) throw ctx.fail("nonpad_kv_seqlen must have one entry per batch (" + b + "), got shape " + nonpadT.shape());
                nonpad = nonpadT.toLongArray();
            } else {
                nonpad = null;
            }
        }

        /** Fills {@code out} with the row's bias; returns true when every key is masked. */
        boolean row(int bi, int h, int i, double[] out) {
            boolean any = false;
            long base = bi * msB + h * msH + i * msI;
            // Causal frontier: with a cache the new block follows the past; with only padding info it ends at the
            // last valid key of this batch entry.
            long frontier = Long.MAX_VALUE;
            if (causal) {
                long offset = past;
                if (past == 0 && nonpad != null) offset = nonpad[bi] - sq;
                frontier = i + offset;
            }
            for (int j = 0; j < total; j++) {
                double v = 0;
                if (mask != null) v = j < maskCols ? mask[(int) (base + j)] : Double.NEGATIVE_INFINITY;
                if (j > frontier) v = Double.NEGATIVE_INFINITY;
                if (nonpad != null && j >= nonpad[bi]) v = Double.NEGATIVE_INFINITY;
                out[j] = v;
                if (v != Double.NEGATIVE_INFINITY) any = true;
            }
            return !any;
        }
    }

    static void infer(InferenceContext ctx) {
        TensorType q = AttnIo.tensorType(ctx.inputType(0)), k = AttnIo.tensorType(ctx.inputType(1)), v = AttnIo.tensorType(ctx.inputType(2));
        if (q == null || !q.hasRank()) return;
        DType dt = q.dtype();
        TensorType pk = AttnIo.tensorType(ctx.inputType(4));
        long past = pk != null && pk.hasRank() ? AttnIo.dim(pk, 2) : (ctx.node().input(4) == null ? 0 : -1);
        if (q.rank() == 4) {
            Dim b = AttnIo.dimOf(q, 0), hq = AttnIo.dimOf(q, 1), sq = AttnIo.dimOf(q, 2), d = AttnIo.dimOf(q, 3);
            Dim hkv = AttnIo.dimOf(k, 1), dv = AttnIo.dimOf(v, 3);
            long skv = AttnIo.dim(k, 2);
            Object total = past == 0 ? AttnIo.dimOf(k, 2) : (Object) (past < 0 || skv < 0 ? -1L : past + skv);
            ctx.setOutputType(0, AttnIo.typeOfDims(dt, b, hq, sq, dv));
            if (ctx.outputCount() > 1) ctx.setOutputType(1, AttnIo.typeOfDims(dt, b, hkv, total, d));
            if (ctx.outputCount() > 2) ctx.setOutputType(2, AttnIo.typeOfDims(dt, b, hkv, total, dv));
            if (ctx.outputCount() > 3) ctx.setOutputType(3, AttnIo.typeOfDims(dt, b, hq, sq, total));
        } else if (q.rank() == 3) {
            var hqA = ctx.node().attribute("q_num_heads");
            var hkvA = ctx.node().attribute("kv_num_heads");
            long hq = hqA == null ? -1 : hqA.asInt(), hkv = hkvA == null ? -1 : hkvA.asInt();
            long hidQ = AttnIo.dim(q, 2), hidV = AttnIo.dim(v, 2), skv = AttnIo.dim(k, 1);
            long d = hq > 0 && hidQ >= 0 ? hidQ / hq : -1;
            long dv = hkv > 0 && hidV >= 0 ? hidV / hkv : -1;
            long total = past < 0 || skv < 0 ? -1 : past + skv;
            Dim b = AttnIo.dimOf(q, 0), sq = AttnIo.dimOf(q, 1);
            ctx.setOutputType(0, AttnIo.typeOfDims(dt, b, sq, hq > 0 && dv >= 0 ? hq * dv : -1L));
            if (ctx.outputCount() > 1) ctx.setOutputType(1, AttnIo.typeOfDims(dt, b, hkv, total, d));
            if (ctx.outputCount() > 2) ctx.setOutputType(2, AttnIo.typeOfDims(dt, b, hkv, total, dv));
            if (ctx.outputCount() > 3) ctx.setOutputType(3, AttnIo.typeOfDims(dt, b, hq, sq, total));
        }
    }
}
