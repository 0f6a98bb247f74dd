package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.Tensor;

/**
 * Reference kernels of the state-carrying attention variants (opset 27): LinearAttention, a recurrent
 * key-value state updated once per position, and CausalConvWithState, a depthwise causal 1-D convolution whose
 * left context comes from (and is returned as) a state tensor.
 */
final class AttentionStateKernels {
    private AttentionStateKernels() {}

    /**
     * LinearAttention: query (B, T, Hq*Dk), key (B, T, Hkv*Dk), value (B, T, Hkv*Dv), optional past_state
     * (B, Hkv, Dk, Dv), decay (B, T, Hkv*Dk) or per head (B, T, Hkv), beta (B, T, Hkv) or (B, T, 1). For each
     * position the state S of every kv head is updated by the rule
     * <ul>
     *   <li>linear: S += k v^T</li>
     *   <li>gated: S = exp(decay) * S + k v^T (decay scales the rows of S)</li>
     *   <li>delta: S += k (beta (v - S^T k))^T</li>
     *   <li>gated_delta: S = exp(decay) * S, then the delta rule</li>
     * </ul>
     * and each query head h reads scale * q^T S of kv head h / (Hq / Hkv). Output (B, T, Hq*Dv); present_state is S
     * after the last position. Computed in double, rounded once to the query's type.
     */
    static Object[] linearAttention(KernelContext ctx) {
        Tensor qT = ctx.input(0), kT = ctx.input(1), vT = ctx.input(2);
        Tensor pastT = ctx.optionalInput(3), decayT = ctx.optionalInput(4), betaT = ctx.optionalInput(5);
        AttnIo.requireFloat(ctx, qT, "query");
        if (qT.rank() != 3 || kT.rank() != 3 || vT.rank() != 3)
            throw ctx.fail("query, key and value must be 3-D (batch, seq, heads*dim), got " + qT.shape() + ", " + kT.shape() + ", " + vT.shape());
        int hq = (int) ctx.attrInt("q_num_heads"), hkv = (int) ctx.attrInt("kv_num_heads");
        if (hq <= 0 || hkv <= 0 || hq % hkv != 0) throw ctx.fail("q_num_heads " + hq + " must be a positive multiple of kv_num_heads " + hkv);
        int b = (int) qT.shape().dim(0), t = (int) qT.shape().dim(1);
        if (kT.shape().dim(0) != b || vT.shape().dim(0) != b || kT.shape().dim(1) != t || vT.shape().dim(1) != t)
            throw ctx.fail("query, key and value must agree on batch and sequence length");
        long qh = qT.shape().dim(2), kh = kT.shape().dim(2), vh = vT.shape().dim(2);
        if (qh % hq != 0 || kh % hkv != 0 || vh % hkv != 0) throw ctx.fail("hidden sizes are not divisible by the head counts");
        int dk = (int) (qh / hq), dv = (int) (vh / hkv);
        if (kh / hkv != dk) throw ctx.fail("key head size " + kh / hkv + " != query head size " + dk);
        String rule = ctx.attrString("update_rule");
        boolean gated = rule.equals("gated") || rule.equals("gated_delta");
        boolean delta = rule.equals("delta") || rule.equals("gated_delta");
        if (!gated && !delta && !rule.equals("linear")) throw ctx.fail("unknown update_rule '" + rule + "'");
        if (gated && decayT == null) throw ctx.fail("update_rule '" + rule + "' needs the decay input");
        if (delta && betaT == null) throw ctx.fail("update_rule '" + rule + "' needs the beta input");
        double scale = ctx.hasAttr("scale") ? ctx.attrFloat("scale") : 1.0 / Math.sqrt(dk);
        int groups = hq / hkv;

        int decayPer = 0, betaPer = 0;   // values per (b, t): hkv*dk or hkv for decay; hkv or 1 for beta
        if (gated) {
            decayPer = (int) decayT.shape().dim(decayT.rank() - 1);
            if (decayT.numel() != (long) b * t * decayPer || (decayPer != hkv * dk && decayPer != hkv))
                throw ctx.fail("decay shape " + decayT.shape() + " must be (" + b + ", " + t + ", " + hkv * dk + " or " + hkv + ")");
        }
        if (delta) {
            betaPer = (int) betaT.shape().dim(betaT.rank() - 1);
            if (betaT.numel() != (long) b * t * betaPer || (betaPer != hkv && betaPer != 1))
                throw ctx.fail("beta shape " + betaT.shape() + " must be (" + b + ", " + t + ", " + hkv + " or 1)");
        }
        double[] s = new double[AttnIo.checkedSize(ctx, b, hkv, dk, dv)];
        if (pastT != null) {
            if (pastT.numel() != s.length) throw ctx.fail("past_state shape " + pastT.shape() + " must be (" + b + ", " + hkv + ", " + dk + ", " + dv + ")");
            s = AttnIo.doubles(pastT);
        }
        double[] q = AttnIo.doubles(qT), k = AttnIo.doubles(kT), v = AttnIo.doubles(vT);
        double[] decay = gated ? AttnIo.doubles(decayT) : null, beta = delta ? AttnIo.doubles(betaT) : null;
        double[] y = new double[AttnIo.checkedSize(ctx, b, t, hq, dv)];
        double[] retrieved = new double[dv];
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                int bt = bi * t + ti;
                for (int h = 0; h < hkv; h++) {
                    int sBase = (bi * hkv + h) * dk * dv;
                    int kOff = (bt * hkv + h) * dk, vOff = (bt * hkv + h) * dv;
                    if (gated) {
                        for (int r = 0; r < dk; r++) {
                            double g = Math.exp(decayPer == hkv ? decay[bt * hkv + h] : decay[bt * decayPer + h * dk + r]);
                            for (int c = 0; c < dv; c++) s[sBase + r * dv + c] *= g;
                        }
                    }
                    if (delta) {
                        double bb = beta[bt * betaPer + (betaPer == 1 ? 0 : h)];
                        java.util.Arrays.fill(retrieved, 0);
                        for (int r = 0; r < dk; r++) {
                            double kr = k[kOff + r];
                            for (int c = 0; c < dv; c++) retrieved[c] += s[sBase + r * dv + c] * kr;
                        }
                        for (int c = 0; c < dv; c++) retrieved[c] = bb * (v[vOff + c] - retrieved[c]);
                    } else {
                        System.arraycopy(v, vOff, retrieved, 0, dv);
                    }
                    for (int r = 0; r < dk; r++) {
                        double kr = k[kOff + r];
                        for (int c = 0; c < dv; c++) s[sBase + r * dv + c] += kr * retrieved[c];
                    }
                    for (int g = 0; g < groups; g++) {
                        int qh2 = h * groups + g;
                        int qOff = (bt * hq + qh2) * dk, yOff = (bt * hq + qh2) * dv;
                        for (int r = 0; r < dk; r++) {
                            double qr = q[qOff + r];
                            for (int c = 0; c < dv; c++) y[yOff + c] += qr * s[sBase + r * dv + c];
                        }
                        for (int c = 0; c < dv; c++) y[yOff + c] *= scale;
                    }
                }
            }
        }
        Object[] out = new Object[Math.max(2, ctx.outputCount())];
        out[0] = AttnIo.tensor(qT.dtype(), new long[]{b, t, (long) hq * dv}, y);
        out[1] = AttnIo.tensor(qT.dtype(), new long[]{b, hkv, dk, dv}, s);
        return out;
    }

    /**
     * CausalConvWithState: input (B, C, L), depthwise weight (C, 1, K), optional bias (C) and past_state
     * (B, C, K-1, zeros when absent). Output[t] = bias + sum_j w[j] * padded[t + j] over padded = past ++ input,
     * optionally passed through SiLU ("silu"/"swish"); present_state is the last K-1 padded positions.
     */
    static Object[] causalConv(KernelContext ctx) {
        Tensor xT = ctx.input(0), wT = ctx.input(1), biasT = ctx.optionalInput(2), pastT = ctx.optionalInput(3);
        AttnIo.requireFloat(ctx, xT, "input");
        if (xT.rank() != 3) throw ctx.fail("input must be (batch, channels, length), got " + xT.shape());
        int b = (int) xT.shape().dim(0), c = (int) xT.shape().dim(1), len = (int) xT.shape().dim(2);
        if (wT.rank() != 3 || wT.shape().dim(0) != c || wT.shape().dim(1) != 1)
            throw ctx.fail("weight shape " + wT.shape() + " must be (" + c + ", 1, kernel_size)");
        int ks = (int) wT.shape().dim(2);
        if (ks < 1) throw ctx.fail("kernel_size must be at least 1");
        int ctxLen = ks - 1;
        if (biasT != null && biasT.numel() != c) throw ctx.fail("bias must have " + c + " entries, got " + biasT.shape());
        if (pastT != null && (pastT.rank() != 3 || pastT.shape().dim(0) != b || pastT.shape().dim(1) != c || pastT.shape().dim(2) != ctxLen))
            throw ctx.fail("past_state shape " + pastT.shape() + " must be (" + b + ", " + c + ", " + ctxLen + ")");
        String act = ctx.attrString("activation");
        boolean silu = act.equals("silu") || act.equals("swish");
        if (!silu && !act.equals("none")) throw ctx.fail("unknown activation '" + act + "'");
        double[] x = AttnIo.doubles(xT), w = AttnIo.doubles(wT);
        double[] bias = biasT == null ? null : AttnIo.doubles(biasT), past = pastT == null ? null : AttnIo.doubles(pastT);
        int padLen = ctxLen + len;
        double[] padded = new double[padLen];
        double[] y = new double[AttnIo.checkedSize(ctx, b, c, len)];
        double[] state = new double[AttnIo.checkedSize(ctx, b, c, ctxLen)];
        for (int bi = 0; bi < b; bi++) {
            for (int ch = 0; ch < c; ch++) {
                int row = bi * c + ch;
                for (int i = 0; i < ctxLen; i++) padded[i] = past == null ? 0 : past[row * ctxLen + i];
                System.arraycopy(x, row * len, padded, ctxLen, len);
                for (int ti = 0; ti < len; ti++) {
                    double acc = bias == null ? 0 : bias[ch];
                    for (int j = 0; j < ks; j++) acc += w[ch * ks + j] * padded[ti + j];
                    if (silu) acc = acc / (1 + Math.exp(-acc));
                    y[row * len + ti] = acc;
                }
                System.arraycopy(padded, padLen - ctxLen, state, row * ctxLen, ctxLen);
            }
        }
        Object[] out = new Object[Math.max(2, ctx.outputCount())];
        out[0] = AttnIo.tensor(xT.dtype(), new long[]{b, c, len}, y);
        out[1] = AttnIo.tensor(xT.dtype(), new long[]{b, c, ctxLen}, state);
        return out;
    }
}
