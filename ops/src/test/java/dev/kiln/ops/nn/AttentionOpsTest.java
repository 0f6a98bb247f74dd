package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.kiln.ops.nn.AttentionOpRunner.assertClose;
import static dev.kiln.ops.nn.AttentionOpRunner.random;
import static dev.kiln.ops.nn.AttentionOpRunner.run;
import static dev.kiln.ops.nn.AttentionOpRunner.run1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Semantics of Attention, RotaryEmbedding, SwiGLU, LinearAttention and CausalConvWithState. */
class AttentionOpsTest {
    private static final List<Attribute> NONE = List.of();

    /** Copies V's rows from (B, H, S, D) into (B, Hq, L, D) where each query row sees kv position 0. */
    @Property(tries = 40)
    void oneKeyPositionReturnsV(@ForAll @IntRange(min = 1, max = 3) int b, @ForAll @IntRange(min = 1, max = 4) int hkv,
                                @ForAll @IntRange(min = 1, max = 3) int groups, @ForAll @IntRange(min = 1, max = 5) int l,
                                @ForAll @IntRange(min = 1, max = 6) int d, @ForAll @IntRange(min = 1, max = 5) int dv,
                                @ForAll long seed) {
        Random rnd = new Random(seed);
        int hq = hkv * groups;
        Tensor q = random(rnd, b, hq, l, d), k = random(rnd, b, hkv, 1, d), v = random(rnd, b, hkv, 1, dv);
        Tensor y = run1("Attention", 23, NONE, q, k, v);
        assertEquals(dev.kiln.tensor.Shape.of(b, hq, l, dv), y.shape());
        for (int bi = 0; bi < b; bi++) for (int h = 0; h < hq; h++) for (int i = 0; i < l; i++) for (int c = 0; c < dv; c++)
            assertEquals(v.getDouble(new long[]{bi, h / groups, 0, c}), y.getDouble(new long[]{bi, h, i, c}), 1e-6);
    }

    /** With is_causal, query row 0 sees only key 0: changing later keys and values cannot change it. */
    @Property(tries = 30)
    void causalRowZeroDependsOnlyOnPositionZero(@ForAll @IntRange(min = 2, max = 6) int s, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor q = random(rnd, 1, 2, s, 4), k = random(rnd, 1, 2, s, 4), v = random(rnd, 1, 2, s, 3);
        Tensor k2 = k.copy(), v2 = v.copy();
        for (int h = 0; h < 2; h++) for (int j = 1; j < s; j++) for (int c = 0; c < 3; c++) {
            k2.setDouble(new long[]{0, h, j, c}, rnd.nextGaussian() * 5);
            v2.setDouble(new long[]{0, h, j, c}, rnd.nextGaussian() * 5);
        }
        List<Attribute> causal = List.of(Attribute.of("is_causal", 1L));
        Tensor y1 = run1("Attention", 23, causal, q, k, v), y2 = run1("Attention", 23, causal, q, k2, v2);
        for (int h = 0; h < 2; h++) for (int c = 0; c < 3; c++) {
            assertEquals(v.getDouble(new long[]{0, h, 0, c}), y1.getDouble(new long[]{0, h, 0, c}), 1e-6);
            assertEquals(y1.getDouble(new long[]{0, h, 0, c}), y2.getDouble(new long[]{0, h, 0, c}), 1e-6);
        }
    }

    /** A KV cache gives the same result as attending over the concatenated keys and values. */
    @Property(tries = 30)
    void pastKeyValueEqualsConcatenation(@ForAll @IntRange(min = 1, max = 4) int past, @ForAll @IntRange(min = 1, max = 4) int s,
                                         @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor q = random(rnd, 2, 2, 3, 4), k = random(rnd, 2, 1, s, 4), v = random(rnd, 2, 1, s, 5);
        Tensor pk = random(rnd, 2, 1, past, 4), pv = random(rnd, 2, 1, past, 5);
        Tensor[] withCache = run("Attention", 23, 3, NONE, q, k, v, null, pk, pv);
        Tensor kAll = concatSeq(pk, k), vAll = concatSeq(pv, v);
        assertClose(kAll, withCache[1], 0, 0);
        assertClose(vAll, withCache[2], 0, 0);
        assertClose(run1("Attention", 23, NONE, q, kAll, vAll), withCache[0], 1e-6, 1e-7);
    }

    /** 3-D inputs (B, S, H*D) are the 4-D computation with heads split from the hidden axis. */
    @Property(tries = 30)
    void threeDMatchesFourD(@ForAll @IntRange(min = 1, max = 3) int hkv, @ForAll @IntRange(min = 1, max = 2) int groups,
                            @ForAll long seed) {
        Random rnd = new Random(seed);
        int hq = hkv * groups;
        Tensor q4 = random(rnd, 2, hq, 3, 4), k4 = random(rnd, 2, hkv, 5, 4), v4 = random(rnd, 2, hkv, 5, 2);
        Tensor y4 = run1("Attention", 23, List.of(Attribute.of("is_causal", 1L)), q4, k4, v4);
        Tensor y3 = run1("Attention", 23, List.of(Attribute.of("is_causal", 1L), Attribute.of("q_num_heads", (long) hq),
                Attribute.of("kv_num_heads", (long) hkv)), to3d(q4), to3d(k4), to3d(v4));
        assertClose(to3d(y4), y3, 1e-6, 1e-7);
    }

    /** A boolean mask is the additive mask with 0 for true and -inf for false; a fully masked row gives zeros. */
    @Test
    void boolMaskEqualsAdditiveMaskAndFullyMaskedRowIsZero() {
        Random rnd = new Random(7);
        Tensor q = random(rnd, 1, 1, 3, 4), k = random(rnd, 1, 1, 4, 4), v = random(rnd, 1, 1, 4, 2);
        boolean[] keep = {true, false, true, true, false, false, false, false, true, true, false, true};
        double[] add = new double[keep.length];
        for (int i = 0; i < keep.length; i++) add[i] = keep[i] ? 0 : Double.NEGATIVE_INFINITY;
        Tensor yb = run1("Attention", 23, NONE, q, k, v, Tensor.ofBooleans(keep, 3, 4));
        Tensor yf = run1("Attention", 23, NONE, q, k, v, Tensor.fromDoubles(DType.F32, add, 3, 4));
        assertClose(yf, yb, 1e-6, 1e-7);
        for (int c = 0; c < 2; c++) assertEquals(0.0, yb.getDouble(new long[]{0, 0, 1, c}));
    }

    /** qk_matmul_output_mode 3 returns probabilities: each unmasked row sums to one. */
    @Property(tries = 20)
    void softmaxOutputRowsSumToOne(@ForAll @IntRange(min = 1, max = 6) int s, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor q = random(rnd, 1, 2, 3, 4), k = random(rnd, 1, 2, s, 4), v = random(rnd, 1, 2, s, 2);
        boolean[] want = {true, false, false, true};
        Tensor p = AttentionOpRunner.run("", "Attention", 23, want, List.of(Attribute.of("qk_matmul_output_mode", 3L),
                Attribute.of("softcap", 3f)), q, k, v)[3];
        for (int r = 0; r < 6; r++) {
            double sum = 0;
            for (int j = 0; j < s; j++) sum += p.getDouble((long) r * s + j);
            assertEquals(1.0, sum, 1e-6);
        }
    }

    @Test
    void nonpadKvSeqlenMasksPaddedKeys() {
        Random rnd = new Random(3);
        Tensor q = random(rnd, 2, 1, 1, 4), k = random(rnd, 2, 1, 5, 4), v = random(rnd, 2, 1, 5, 3);
        Tensor y = run1("Attention", 24, NONE, q, k, v, null, null, null, Tensor.ofLongs(new long[]{2, 5}, 2));
        Tensor kShort = k.slice(2, 0, 2, 1).slice(0, 0, 1, 1), vShort = v.slice(2, 0, 2, 1).slice(0, 0, 1, 1);
        Tensor y0 = run1("Attention", 23, NONE, q.slice(0, 0, 1, 1), kShort, vShort);
        for (int c = 0; c < 3; c++) assertEquals(y0.getDouble(c), y.getDouble(c), 1e-6);
    }

    @Test
    void fp16InputKeepsDtype() {
        Random rnd = new Random(5);
        Tensor q = cast(random(rnd, 1, 2, 3, 4), DType.F16), k = cast(random(rnd, 1, 2, 3, 4), DType.F16);
        Tensor v = cast(random(rnd, 1, 2, 3, 4), DType.F16);
        Tensor y = run1("Attention", 23, NONE, q, k, v);
        assertEquals(DType.F16, y.dtype());
        Tensor y32 = run1("Attention", 23, NONE, cast(q, DType.F32), cast(k, DType.F32), cast(v, DType.F32));
        assertClose(cast(y32, DType.F16), y, 2e-3, 1e-3);
    }

    @Test
    void invalidInputsFailWithTypedErrors() {
        Random rnd = new Random(1);
        assertThrows(OpFailure.class, () -> run1("Attention", 23, NONE, random(rnd, 2, 3), random(rnd, 2, 3), random(rnd, 2, 3)));
        // 3 query heads cannot share 2 kv heads.
        assertThrows(OpFailure.class, () -> run1("Attention", 23, NONE, random(rnd, 1, 3, 2, 4), random(rnd, 1, 2, 2, 4), random(rnd, 1, 2, 2, 4)));
        // 3-D inputs need the head counts.
        assertThrows(OpFailure.class, () -> run1("Attention", 23, NONE, random(rnd, 1, 2, 8), random(rnd, 1, 2, 8), random(rnd, 1, 2, 8)));
        // Mask wider than the keys.
        assertThrows(OpFailure.class, () -> run1("Attention", 23, NONE, random(rnd, 1, 1, 2, 4), random(rnd, 1, 1, 2, 4),
                random(rnd, 1, 1, 2, 4), random(rnd, 2, 3)));
    }

    /** Rotation preserves the norm of every rotated pair; the unrotated tail passes through unchanged. */
    @Property(tries = 30)
    void rotaryPreservesPairNorms(@ForAll boolean interleaved, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = random(rnd, 2, 3, 4, 8);
        double[] angles = new double[2 * 4 * 2];
        for (int i = 0; i < angles.length; i++) angles[i] = rnd.nextDouble() * 6;
        double[] c = new double[angles.length], s = new double[angles.length];
        for (int i = 0; i < angles.length; i++) { c[i] = Math.cos(angles[i]); s[i] = Math.sin(angles[i]); }
        Tensor y = run1("RotaryEmbedding", 23, List.of(Attribute.of("interleaved", interleaved ? 1L : 0L),
                Attribute.of("rotary_embedding_dim", 4L)), x, Tensor.fromDoubles(DType.F32, c, 2, 4, 2), Tensor.fromDoubles(DType.F32, s, 2, 4, 2));
        for (int b = 0; b < 2; b++) for (int h = 0; h < 3; h++) for (int p = 0; p < 4; p++) {
            for (int kk = 0; kk < 2; kk++) {
                int i1 = interleaved ? 2 * kk : kk, i2 = interleaved ? 2 * kk + 1 : kk + 2;
                double nx = Math.hypot(x.getDouble(new long[]{b, h, p, i1}), x.getDouble(new long[]{b, h, p, i2}));
                double ny = Math.hypot(y.getDouble(new long[]{b, h, p, i1}), y.getDouble(new long[]{b, h, p, i2}));
                assertEquals(nx, ny, 1e-5);
            }
            for (int t = 4; t < 8; t++) assertEquals(x.getDouble(new long[]{b, h, p, t}), y.getDouble(new long[]{b, h, p, t}));
        }
    }

    @Test
    void swigluBroadcastsAndGates() {
        Tensor a = Tensor.of(new float[]{0, 1, -1}, 3), b = Tensor.of(new float[]{2}, 1);
        Tensor y = run1("SwiGLU", 28, NONE, a, b);
        assertEquals(0.0, y.getDouble(0), 1e-7);
        assertEquals(2 / (1 + Math.exp(-1)), y.getDouble(1), 1e-6);
        assertEquals(-2 / (1 + Math.exp(1)), y.getDouble(2), 1e-6);
    }

    /** Linear attention without decay: the output at the last step equals scale * q^T sum_t k_t v_t^T. */
    @Test
    void linearAttentionAccumulatesOuterProducts() {
        Random rnd = new Random(11);
        Tensor q = random(rnd, 1, 3, 4), k = random(rnd, 1, 3, 4), v = random(rnd, 1, 3, 2);
        Tensor[] out = run("LinearAttention", 27, 2, List.of(Attribute.of("q_num_heads", 1L), Attribute.of("kv_num_heads", 1L),
                Attribute.of("update_rule", "linear")), q, k, v);
        double[][] s = new double[4][2];
        for (int t = 0; t < 3; t++) for (int r = 0; r < 4; r++) for (int c = 0; c < 2; c++) s[r][c] += k.getDouble(t * 4 + r) * v.getDouble(t * 2 + c);
        for (int c = 0; c < 2; c++) {
            double want = 0;
            for (int r = 0; r < 4; r++) want += q.getDouble(2 * 4 + r) * s[r][c];
            assertEquals(want / 2, out[0].getDouble(2 * 2 + c), 1e-5);
            for (int r = 0; r < 4; r++) assertEquals(s[r][c], out[1].getDouble(r * 2 + c), 1e-5);
        }
    }

    /** Splitting a sequence and carrying the state gives the same output as one pass. */
    @Property(tries = 20)
    void causalConvStateCarriesAcrossChunks(@ForAll @IntRange(min = 1, max = 5) int ks, @ForAll @IntRange(min = 1, max = 6) int split,
                                            @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = random(rnd, 2, 3, 8), w = random(rnd, 3, 1, ks), bias = random(rnd, 3);
        List<Attribute> silu = List.of(Attribute.of("activation", "silu"));
        Tensor[] whole = run("CausalConvWithState", 27, 2, silu, x, w, bias);
        Tensor[] first = run("CausalConvWithState", 27, 2, silu, x.slice(2, 0, split, 1).contiguous(), w, bias);
        Tensor[] second = run("CausalConvWithState", 27, 2, silu, x.slice(2, split, 8, 1).contiguous(), w, bias, first[1]);
        for (int b = 0; b < 2; b++) for (int c = 0; c < 3; c++) for (int t = 0; t < 8; t++) {
            double got = t < split ? first[0].getDouble(new long[]{b, c, t}) : second[0].getDouble(new long[]{b, c, t - split});
            assertEquals(whole[0].getDouble(new long[]{b, c, t}), got, 1e-6);
        }
        assertClose(whole[1], second[1], 0, 0);
    }

    static Tensor cast(Tensor t, DType to) {
        Tensor out = Tensor.allocate(to, t.shape());
        for (long i = 0; i < t.numel(); i++) out.setDouble(i, t.getDouble(i));
        return out;
    }

    private static Tensor concatSeq(Tensor a, Tensor b) {
        long[] d = a.shape().dims();
        d[2] += b.shape().dim(2);
        Tensor out = Tensor.allocate(a.dtype(), dev.kiln.tensor.Shape.of(d));
        for (long i0 = 0; i0 < d[0]; i0++) for (long i1 = 0; i1 < d[1]; i1++) for (long i2 = 0; i2 < d[2]; i2++) for (long i3 = 0; i3 < d[3]; i3++) {
            long pa = a.shape().dim(2);
            double x = i2 < pa ? a.getDouble(new long[]{i0, i1, i2, i3}) : b.getDouble(new long[]{i0, i1, i2 - pa, i3});
            out.setDouble(new long[]{i0, i1, i2, i3}, x);
        }
        return out;
    }

    /** (B, H, S, D) to (B, S, H*D). */
    private static Tensor to3d(Tensor t) {
        long[] d = t.shape().dims();
        return t.permute(0, 2, 1, 3).contiguous().reshape(d[0], d[2], d[1] * d[3]);
    }

    @Test
    void helperSanity() {
        assertTrue(to3d(Tensor.of(new float[]{1, 2, 3, 4}, 1, 2, 1, 2)).shape().equals(dev.kiln.tensor.Shape.of(1, 1, 4)));
    }
}
