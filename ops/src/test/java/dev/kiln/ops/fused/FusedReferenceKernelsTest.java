package dev.kiln.ops.fused;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.ops.OpFailure;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fused ops' reference kernels against the standard ONNX ops they stand for (each fused op = a small graph
 * of standard ops, run by the same interpreter), hand-computed values, and typed errors for bad inputs.
 */
class FusedReferenceKernelsTest {
    static final OpRegistry R = OpRegistry.standard();

    /** A graph with inputs x0..x(n-1) and the node(s) added by {@code body}; output "y". */
    static Tensor run(int opset, List<Tensor> inputs, java.util.function.BiFunction<Graph, List<Value>, Value> body) {
        Graph g = new Graph("t");
        g.opsetImports().put("", opset);
        g.opsetImports().put(FusedOps.DOMAIN, 1);
        List<Value> ins = new ArrayList<>();
        Map<String, Object> feed = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            Value v = new Value("x" + i, ValueType.TensorType.of(inputs.get(i).dtype(), inputs.get(i).shape()));
            g.inputs().add(v);
            ins.add(v);
            feed.put("x" + i, inputs.get(i));
        }
        g.outputs().add(body.apply(g, ins));
        return (Tensor) new Interpreter(g, R).run(feed).get(g.outputs().get(0).name());
    }

    static int counter;

    static Value node(Graph g, String domain, String op, List<Value> ins, Attribute... attrs) {
        Value y = new Value("v" + (counter++), ValueType.UNKNOWN);
        Map<String, Attribute> a = new LinkedHashMap<>();
        for (Attribute x : attrs) a.put(x.name(), x);
        g.nodes().add(new Node("n" + counter, domain, op, new ArrayList<>(ins), List.of(y), a));
        return y;
    }

    static Value constant(Graph g, Tensor t) {
        Value v = new Value("c" + (counter++), ValueType.TensorType.of(t.dtype(), t.shape()));
        v.setConstant(t);
        g.initializers().add(v);
        return v;
    }

    static Tensor rnd(Random r, double s, long... dims) {
        float[] x = new float[(int) Shape.of(dims).numel()];
        for (int i = 0; i < x.length; i++) x[i] = (float) ((r.nextDouble() * 2 - 1) * s);
        return Tensor.of(x, dims);
    }

    static void close(Tensor want, Tensor got, double tol) {
        assertEquals(want.shape(), got.shape());
        assertEquals(want.dtype(), got.dtype());
        for (long i = 0; i < want.numel(); i++)
            assertEquals(want.getDouble(i), got.getDouble(i), tol * (1 + Math.abs(want.getDouble(i))), "element " + i);
    }

    @Property(tries = 30)
    void fusedMatMulIsMatMulAddActivation(@ForAll @IntRange(min = 1, max = 3) int batch, @ForAll @IntRange(min = 1, max = 6) int m,
                                          @ForAll @IntRange(min = 1, max = 7) int k, @ForAll @IntRange(min = 1, max = 6) int n,
                                          @ForAll @IntRange(min = 0, max = 3) int act, @ForAll long seed) {
        Random r = new Random(seed);
        List<Tensor> in = List.of(rnd(r, 2, batch, m, k), rnd(r, 2, k, n), rnd(r, 2, n));
        String[] names = {"", "Relu", "Sigmoid", "Tanh"};
        Tensor want = run(13, in, (g, v) -> {
            Value y = node(g, "", "Add", List.of(node(g, "", "MatMul", List.of(v.get(0), v.get(1))), v.get(2)));
            return act == 0 ? y : node(g, "", names[act], List.of(y));
        });
        Tensor got = run(13, in, (g, v) -> node(g, FusedOps.DOMAIN, "FusedMatMul", v, Attribute.of("activation", names[act])));
        close(want, got, 1e-5);
    }

    @Test
    void fusedMatMulTransposesAndAlphaAreGemms() {
        Random r = new Random(3);
        List<Tensor> in = List.of(rnd(r, 1, 5, 4), rnd(r, 1, 3, 5), rnd(r, 1, 3));
        Tensor want = run(13, in, (g, v) -> node(g, "", "Gemm", v, Attribute.of("transA", 1L), Attribute.of("transB", 1L), Attribute.of("alpha", 0.25f)));
        Tensor got = run(13, in, (g, v) -> node(g, FusedOps.DOMAIN, "FusedMatMul", v,
                Attribute.of("transA", 1L), Attribute.of("transB", 1L), Attribute.of("alpha", 0.25f)));
        close(want, got, 1e-6);
    }

    @Property(tries = 20)
    void geluMatchesOnnxGelu(@ForAll boolean tanh, @ForAll @IntRange(min = 1, max = 30) int n, @ForAll long seed) {
        List<Tensor> in = List.of(rnd(new Random(seed), 6, n));
        Attribute mode = Attribute.of("approximate", tanh ? "tanh" : "none");
        Tensor want = run(20, in, (g, v) -> node(g, "", "Gelu", v, mode));
        Tensor got = run(20, in, (g, v) -> node(g, FusedOps.DOMAIN, "Gelu", v, mode));
        close(want, got, 1e-6);
    }

    @Property(tries = 20)
    void layerNormMatchesOnnxLayerNormalization(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 40) int d,
                                                @ForAll boolean skip, @ForAll long seed) {
        Random r = new Random(seed);
        Tensor x = rnd(r, 3, 2, rows, d), res = rnd(r, 3, 1, rows, d), gamma = rnd(r, 2, d), beta = rnd(r, 1, d);
        Tensor want = run(17, List.of(x, res, gamma, beta), (g, v) -> {
            Value in = skip ? node(g, "", "Add", List.of(v.get(0), v.get(1))) : v.get(0);
            return node(g, "", "LayerNormalization", List.of(in, v.get(2), v.get(3)), Attribute.of("epsilon", 1e-5f));
        });
        Tensor got = run(17, List.of(x, res, gamma, beta), (g, v) -> skip
                ? node(g, FusedOps.DOMAIN, "SkipLayerNorm", v, Attribute.of("epsilon", 1e-5f))
                : node(g, FusedOps.DOMAIN, "LayerNorm", List.of(v.get(0), v.get(2), v.get(3)), Attribute.of("epsilon", 1e-5f)));
        close(want, got, 1e-5);
    }

    @Test
    void layerNormByHand() {
        // x = [1, 2, 3]: mean 2, var 2/3, y = (x - 2) / sqrt(2/3) * 2 + 1
        Tensor got = run(13, List.of(Tensor.of(new float[]{1, 2, 3}, 1, 3)), (g, v) -> node(g, FusedOps.DOMAIN, "LayerNorm",
                List.of(v.get(0), constant(g, Tensor.of(new float[]{2, 2, 2}, 3)), constant(g, Tensor.of(new float[]{1, 1, 1}, 3))),
                Attribute.of("epsilon", 0f)));
        double s = Math.sqrt(2.0 / 3);
        close(Tensor.of(new float[]{(float) (1 - 2 / s), 1, (float) (1 + 2 / s)}, 1, 3), got, 1e-6);
    }

    @Property(tries = 20)
    void attentionMatchesItsDecomposition(@ForAll @IntRange(min = 1, max = 2) int b, @ForAll @IntRange(min = 1, max = 3) int h,
                                          @ForAll @IntRange(min = 1, max = 5) int s, @ForAll @IntRange(min = 1, max = 4) int d,
                                          @ForAll boolean bshd, @ForAll long seed) {
        Random r = new Random(seed);
        long[] qs = bshd ? new long[]{b, s, h, d} : new long[]{b, h, s, d};
        List<Tensor> in = List.of(rnd(r, 2, qs), rnd(r, 2, qs), rnd(r, 2, qs), rnd(r, 2, b, 1, 1, s));
        Tensor want = run(13, in, (g, v) -> {
            List<Value> t = new ArrayList<>();
            for (int i = 0; i < 3; i++)
                t.add(bshd ? node(g, "", "Transpose", List.of(v.get(i)), Attribute.of("perm", new long[]{0, 2, 1, 3})) : v.get(i));
            Value kt = node(g, "", "Transpose", List.of(t.get(1)), Attribute.of("perm", new long[]{0, 1, 3, 2}));
            Value sc = node(g, "", "Mul", List.of(node(g, "", "MatMul", List.of(t.get(0), kt)), constant(g, Tensor.scalar(DType.F32, 0.5))));
            Value p = node(g, "", "Softmax", List.of(node(g, "", "Add", List.of(sc, v.get(3)))));
            Value y = node(g, "", "MatMul", List.of(p, t.get(2)));
            return bshd ? node(g, "", "Transpose", List.of(y), Attribute.of("perm", new long[]{0, 2, 1, 3})) : y;
        });
        Tensor got = run(13, in, (g, v) -> node(g, FusedOps.DOMAIN, "Attention", v,
                Attribute.of("scale", 0.5f), Attribute.of("layout", bshd ? "BSHD" : "BHSD")));
        close(want, got, 1e-5);
    }

    @Test
    void biasSoftmaxIsSoftmaxOfSum() {
        Random r = new Random(4);
        List<Tensor> in = List.of(rnd(r, 5, 3, 7), rnd(r, 5, 7));
        Tensor want = run(13, in, (g, v) -> node(g, "", "Softmax", List.of(node(g, "", "Add", v))));
        close(want, run(13, in, (g, v) -> node(g, FusedOps.DOMAIN, "BiasSoftmax", v)), 1e-6);
    }

    @Test
    void fusedConvIsConvThenClip() {
        Random r = new Random(5);
        List<Tensor> in = List.of(rnd(r, 2, 1, 2, 5, 5), rnd(r, 1, 3, 2, 3, 3), rnd(r, 1, 3));
        Tensor want = run(11, in, (g, v) -> node(g, "", "Clip", List.of(node(g, "", "Conv", v, Attribute.of("pads", new long[]{1, 1, 1, 1})),
                constant(g, Tensor.scalar(DType.F32, -0.3)), constant(g, Tensor.scalar(DType.F32, 0.4)))));
        Tensor got = run(11, in, (g, v) -> node(g, FusedOps.DOMAIN, "FusedConv", v, Attribute.of("pads", new long[]{1, 1, 1, 1}),
                Attribute.of("activation", "Clip"), Attribute.of("activation_min", -0.3f), Attribute.of("activation_max", 0.4f)));
        close(want, got, 1e-6);
    }

    @Test
    void badInputsFailWithTypedErrorsNamingTheNode() {
        Random r = new Random(6);
        List<Tensor> mm = List.of(rnd(r, 1, 2, 3), rnd(r, 1, 4, 5));
        OpFailure e = assertThrows(OpFailure.class, () -> run(13, mm, (g, v) -> node(g, FusedOps.DOMAIN, "FusedMatMul", v)));
        assertTrue(e.getMessage().contains("FusedMatMul") && e.getMessage().contains("inner dims"), e.getMessage());
        e = assertThrows(OpFailure.class, () -> run(13, List.of(rnd(r, 1, 2, 3), rnd(r, 1, 3, 5)),
                (g, v) -> node(g, FusedOps.DOMAIN, "FusedMatMul", v, Attribute.of("activation", "Swish"))));
        assertTrue(e.getMessage().contains("Swish"), e.getMessage());
        List<Tensor> qkv = List.of(rnd(r, 1, 1, 2, 3, 4), rnd(r, 1, 1, 2, 3, 4), rnd(r, 1, 1, 2, 3, 4));
        e = assertThrows(OpFailure.class, () -> run(13, qkv, (g, v) -> node(g, FusedOps.DOMAIN, "Attention", v, Attribute.of("layout", "SBHD"))));
        assertTrue(e.getMessage().contains("layout"), e.getMessage());
        e = assertThrows(OpFailure.class, () -> run(13, List.of(rnd(r, 1, 2, 4), rnd(r, 1, 5)),
                (g, v) -> node(g, FusedOps.DOMAIN, "LayerNorm", v)));
        assertTrue(e.getMessage().contains("gamma"), e.getMessage());
    }
}
