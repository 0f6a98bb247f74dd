package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.graph.pass.Pass;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.kiln.codegen.opt.fuse.GraphKit.*;
import static org.junit.jupiter.api.Assertions.*;

/** Attention fusion: BERT's exported form (as in all-MiniLM-L6-v2) and the generic [B, H, S, D] form. */
class AttentionFusionTest {
    static final List<Pass> PASSES = List.of(new AttentionFusion(), new BiasSoftmaxFusion());

    static Attribute perm(long... p) { return Attribute.of("perm", p); }

    /** BertSelfAttention as PyTorch exports it at opset 11, from projected [B, S, H*D] tensors. */
    static GraphKit bert(int b, int s, int h, int d, boolean masked, int softmaxAxis) {
        GraphKit k = new GraphKit(11);
        long hd = (long) h * d;
        Value q = k.input("q", b, s, hd), kk = k.input("k", b, s, hd), v = k.input("v", b, s, hd);
        Value split = k.init("split", Tensor.ofLongs(new long[]{b, s, h, d}, 4));
        Value qr = k.op("Reshape", List.of(q, split), dims(b, s, h, d));
        Value kr = k.op("Reshape", List.of(kk, split), dims(b, s, h, d));
        Value vr = k.op("Reshape", List.of(v, split), dims(b, s, h, d));
        Value qt = k.op("Transpose", List.of(qr), dims(b, h, s, d), perm(0, 2, 1, 3));
        Value kt = k.op("Transpose", List.of(kr), dims(b, h, d, s), perm(0, 2, 3, 1));
        Value vt = k.op("Transpose", List.of(vr), dims(b, h, s, d), perm(0, 2, 1, 3));
        Value scores = k.op("Div", List.of(k.op("MatMul", List.of(qt, kt), dims(b, h, s, s)), k.scalar(Math.sqrt(d))), dims(b, h, s, s));
        if (masked) scores = k.op("Add", List.of(scores, k.input("mask", b, 1, 1, s)), dims(b, h, s, s));
        Value p = k.op("Softmax", List.of(scores), dims(b, h, s, s), Attribute.of("axis", (long) softmaxAxis));
        Value ctx = k.op("MatMul", List.of(p, vt), dims(b, h, s, d));
        Value merged = k.op("Transpose", List.of(ctx), dims(b, s, h, d), perm(0, 2, 1, 3));
        Value shape = k.init("merge", Tensor.ofLongs(new long[]{b, s, hd}, 3));
        k.output(k.op("Reshape", List.of(merged, shape), dims(b, s, hd)));
        return k;
    }

    /** The generic form on [B, H, S, D] tensors with a Mul scale, mask on either side of the Add. */
    static GraphKit generic(int b, int h, int sq, int sk, int d, boolean masked, boolean maskFirst) {
        GraphKit k = new GraphKit(13);
        Value q = k.input("q", b, h, sq, d), kk = k.input("k", b, h, sk, d), v = k.input("v", b, h, sk, d + 1);
        Value kt = k.op("Transpose", List.of(kk), dims(b, h, d, sk), perm(0, 1, 3, 2));
        Value scores = k.op("Mul", List.of(k.op("MatMul", List.of(q, kt), dims(b, h, sq, sk)), k.scalar(0.37)), dims(b, h, sq, sk));
        if (masked) {
            Value m = k.input("mask", 1, 1, sq, sk);
            scores = k.op("Add", maskFirst ? List.of(m, scores) : List.of(scores, m), dims(b, h, sq, sk));
        }
        Value p = k.op("Softmax", List.of(scores), dims(b, h, sq, sk));
        k.output(k.op("MatMul", List.of(p, v), dims(b, h, sq, d + 1)));
        return k;
    }

    static Tensor mask(Random rnd, long... dims) {
        Tensor m = random(rnd, 1, dims);
        for (long i = 0; i < m.numel(); i++) if (rnd.nextInt(4) == 0) m.setDouble(i, -3.4028234663852886e38);
        return m;
    }

    @Property(tries = 30)
    void bertFormFuses(@ForAll @IntRange(min = 1, max = 2) int b, @ForAll @IntRange(min = 1, max = 6) int s,
                       @ForAll @IntRange(min = 1, max = 3) int h, @ForAll @IntRange(min = 1, max = 5) int d,
                       @ForAll boolean masked, @ForAll boolean negativeAxis, @ForAll long seed) {
        Random rnd = new Random(seed);
        Map<String, Object> in = feeds("q", random(rnd, 2, b, s, (long) h * d), "k", random(rnd, 2, b, s, (long) h * d),
                "v", random(rnd, 2, b, s, (long) h * d));
        if (masked) in.put("mask", mask(rnd, b, 1, 1, s));
        Graph g = checkFusion(() -> bert(b, s, h, d, masked, negativeAxis ? -1 : 3), PASSES, in, 1e-4);
        assertOps(g, Map.of("dev.kiln.Attention", 1, "Transpose", 0, "Softmax", 0, "MatMul", 0));
        assertEquals("BSHD", g.nodes().stream().filter(n -> n.opType().equals("Attention")).findFirst().orElseThrow()
                .attribute("layout").asString());
    }

    @Property(tries = 30)
    void genericFormFuses(@ForAll @IntRange(min = 1, max = 2) int b, @ForAll @IntRange(min = 1, max = 3) int h,
                          @ForAll @IntRange(min = 1, max = 5) int sq, @ForAll @IntRange(min = 1, max = 5) int sk,
                          @ForAll @IntRange(min = 1, max = 4) int d, @ForAll boolean masked, @ForAll boolean maskFirst, @ForAll long seed) {
        Random rnd = new Random(seed);
        Map<String, Object> in = feeds("q", random(rnd, 2, b, h, sq, d), "k", random(rnd, 2, b, h, sk, d), "v", random(rnd, 2, b, h, sk, d + 1));
        if (masked) in.put("mask", mask(rnd, 1, 1, sq, sk));
        Graph g = checkFusion(() -> generic(b, h, sq, sk, d, masked, maskFirst), PASSES, in, 1e-4);
        assertOps(g, Map.of("dev.kiln.Attention", 1, "Softmax", 0));
        assertEquals(1, g.nodes().size());
    }

    @Test
    void softmaxOverAnotherAxisIsNotAttention() {
        // opset 11 with axis 1 normalizes over H*S*S: not attention, and not a last-axis bias softmax either
        Graph g = checkFusion(() -> bert(1, 3, 2, 2, true, 1), PASSES,
                feeds("q", random(new Random(1), 1, 1, 3, 4), "k", random(new Random(2), 1, 1, 3, 4),
                        "v", random(new Random(3), 1, 1, 3, 4), "mask", random(new Random(4), 1, 1, 1, 1, 3)), 1e-5);
        assertOps(g, Map.of("dev.kiln.Attention", 0, "dev.kiln.BiasSoftmax", 0, "Softmax", 1));
    }

    @Test
    void biasSoftmaxWhenNotAttention() {
        Graph g = checkFusion(() -> {
            GraphKit k = new GraphKit(13);
            Value x = k.input("x", 2, 3, 5);
            k.output(k.op("Softmax", List.of(k.op("Add", List.of(k.input("bias", 5), x), dims(2, 3, 5))), dims(2, 3, 5)));
            return k;
        }, PASSES, feeds("x", random(new Random(5), 4, 2, 3, 5), "bias", random(new Random(6), 4, 5)), 1e-5);
        assertOps(g, Map.of("dev.kiln.BiasSoftmax", 1, "Add", 0, "Softmax", 0));
    }

    @Test
    void sharedScoresBlockFusion() {
        GraphKit k = generic(1, 2, 3, 3, 2, false, false);
        Value probs = k.g.nodes().get(k.g.nodes().size() - 2).output(0);
        k.output(probs);   // the attention weights are a model output: they must stay materialized
        assertFalse(new AttentionFusion().run(k.g, ctx()));
    }
}
