package dev.kiln.tests.fuse;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.ops.Kernel;
import dev.kiln.runtime.cpu.CpuKernelSelector;
import dev.kiln.runtime.cpu.KilnPool;
import dev.kiln.runtime.cpu.fused.FusedCpuKernels;
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
 * Each dev.kiln fused op's fast CPU kernel against its scalar reference kernel (the oracle), on one-node graphs
 * with random shapes (odd sizes, tails, 1-wide dims), broadcasting bias/mask/residual operands, constant (packed)
 * and runtime weights. Runs every graph twice on the fast path so a cached packed weight is reused.
 */
class FusedCpuKernelsTest {
    static final CpuKernelSelector CPU = new CpuKernelSelector(2);
    static final KilnPool POOL = CPU.pool();

    /** One node; inputs named in0..; a non-null constant makes that input an initializer. */
    static Graph node(String op, List<Tensor> inputs, List<Tensor> constants, Attribute... attrs) {
        Graph g = new Graph("k");
        g.opsetImports().put("", 17);
        g.opsetImports().put("dev.kiln", 1);
        List<Value> ins = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Tensor c = constants.get(i);
            Tensor shape = c != null ? c : inputs.get(i);
            Value v = new Value("in" + i, ValueType.TensorType.of(DType.F32, shape.shape()));
            if (c != null) { v.setConstant(c); g.initializers().add(v); } else g.inputs().add(v);
            ins.add(v);
        }
        Value y = new Value("y", ValueType.UNKNOWN);
        Map<String, Attribute> a = new LinkedHashMap<>();
        for (Attribute x : attrs) a.put(x.name(), x);
        g.nodes().add(new Node("n", "dev.kiln", op, ins, List.of(y), a));
        g.outputs().add(y);
        return g;
    }

    static void check(Graph g, List<Tensor> inputs, double tol) {
        Map<String, Object> feed = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) if (g.inputs().stream().anyMatch(v -> v.name().startsWith("in"))) feed.put("in" + i, inputs.get(i));
        feed.keySet().removeIf(k -> g.inputs().stream().noneMatch(v -> v.name().equals(k)));
        Tensor want = (Tensor) new Interpreter(g, OpRegistry.standard()).run(feed).get("y");
        Interpreter fast = new Interpreter(g, OpRegistry.standard(), CPU);
        // the raw fast kernel too: a silent fallback to the reference would make this test vacuous
        boolean mayDecline = g.nodes().get(0).attribute("activation") != null && g.nodes().get(0).attribute("activation").asString().equals("Clip");
        Interpreter strict = new Interpreter(g, OpRegistry.standard(), (n, s) -> {
            Kernel f = FusedCpuKernels.fast(n, POOL);
            assertNotNull(f, "no fast kernel for " + n);
            return ctx -> {
                Object[] o = f.execute(ctx);
                if (mayDecline && o == null) return s.kernel().execute(ctx);
                assertTrue(o != null && o[0] != null, "fast kernel declined " + n);
                return o;
            };
        });
        for (int rep = 0; rep < 3; rep++) {
            Tensor got = (Tensor) (rep == 2 ? strict : fast).run(feed).get("y");
            assertEquals(want.shape(), got.shape());
            for (long i = 0; i < want.numel(); i++) {
                double w = want.getDouble(i), o = got.getDouble(i);
                assertTrue(Math.abs(w - o) <= tol * (1 + Math.abs(w)), "[" + i + "] reference " + w + " vs fast " + o + " (" + g.nodes().get(0) + ")");
            }
        }
    }

    static Tensor rnd(Random r, double scale, long... dims) {
        float[] x = new float[(int) Shape.of(dims).numel()];
        for (int i = 0; i < x.length; i++) x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return Tensor.of(x, dims);
    }

    static List<Tensor> nulls(int n) { List<Tensor> l = new ArrayList<>(); for (int i = 0; i < n; i++) l.add(null); return l; }

    @Property(tries = 40)
    void fusedMatMul(@ForAll @IntRange(min = 1, max = 3) int batch, @ForAll @IntRange(min = 1, max = 37) int m,
                     @ForAll @IntRange(min = 1, max = 41) int k, @ForAll @IntRange(min = 1, max = 35) int n,
                     @ForAll @IntRange(min = 0, max = 6) int act, @ForAll boolean constantB, @ForAll boolean transB, @ForAll boolean transA,
                     @ForAll boolean bias, @ForAll long seed) {
        Random r = new Random(seed);
        Tensor a = rnd(r, 2, batch, m, k), b = transB ? rnd(r, 1, n, k) : rnd(r, 1, k, n), c = rnd(r, 1, n);
        String[] acts = {"", "Relu", "Gelu", "GeluTanh", "Sigmoid", "Tanh", "Clip"};
        List<Tensor> ins = bias ? List.of(a, b, c) : List.of(a, b);
        List<Tensor> consts = nulls(ins.size());
        if (constantB) consts.set(1, b);
        if ((transB || transA) && batch > 1) return;   // transposes are Gemm's (2-D) form
        Tensor a2 = transA ? rnd(r, 2, k, m) : transB ? rnd(r, 2, m, k) : a;
        ins = bias ? List.of(a2, b, c) : List.of(a2, b);
        check(node("FusedMatMul", ins, consts, Attribute.of("activation", acts[act]), Attribute.of("transB", transB ? 1L : 0L),
                Attribute.of("transA", transA ? 1L : 0L)), ins, 1e-4);
    }

    @Property(tries = 30)
    void layerNormAndSkip(@ForAll @IntRange(min = 1, max = 5) int rows, @ForAll @IntRange(min = 1, max = 70) int d,
                          @ForAll boolean skip, @ForAll boolean broadcastSkip, @ForAll boolean beta, @ForAll long seed) {
        Random r = new Random(seed);
        Tensor x = rnd(r, 4, 2, rows, d), res = broadcastSkip ? rnd(r, 4, 1, rows, d) : rnd(r, 4, 2, rows, d);
        Tensor g = rnd(r, 2, d), bt = rnd(r, 1, d);
        List<Tensor> ins = new ArrayList<>(skip ? List.of(x, res, g) : List.of(x, g));
        if (beta) ins.add(bt);
        List<Tensor> consts = nulls(ins.size());
        check(node(skip ? "SkipLayerNorm" : "LayerNorm", ins, consts, Attribute.of("epsilon", 1e-6f)), ins, 1e-4);
    }

    @Property(tries = 20)
    void geluAndBiasSoftmax(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 67) int n,
                            @ForAll boolean tanh, @ForAll boolean rowBias, @ForAll long seed) {
        Random r = new Random(seed);
        Tensor x = rnd(r, 8, rows, n);
        check(node("Gelu", List.of(x), nulls(1), Attribute.of("approximate", tanh ? "tanh" : "none")), List.of(x), 1e-5);
        Tensor bias = rowBias ? rnd(r, 8, rows, 1) : rnd(r, 8, n);
        check(node("BiasSoftmax", List.of(x, bias), nulls(2)), List.of(x, bias), 1e-5);
    }

    @Property(tries = 40)
    void attention(@ForAll @IntRange(min = 1, max = 2) int b, @ForAll @IntRange(min = 1, max = 3) int h,
                   @ForAll @IntRange(min = 1, max = 19) int sq, @ForAll @IntRange(min = 1, max = 23) int sk,
                   @ForAll @IntRange(min = 1, max = 17) int d, @ForAll boolean bshd, @ForAll @IntRange(min = 0, max = 2) int maskKind,
                   @ForAll long seed) {
        Random r = new Random(seed);
        Tensor q = bshd ? rnd(r, 2, b, sq, h, d) : rnd(r, 2, b, h, sq, d);
        Tensor k = bshd ? rnd(r, 2, b, sk, h, d) : rnd(r, 2, b, h, sk, d);
        Tensor v = bshd ? rnd(r, 2, b, sk, h, d + 2) : rnd(r, 2, b, h, sk, d + 2);
        List<Tensor> ins = new ArrayList<>(List.of(q, k, v));
        if (maskKind == 1) {   // BERT padding mask [B, 1, 1, Sk] with -FLT_MAX
            Tensor m = rnd(r, 1, b, 1, 1, sk);
            for (long i = 0; i < m.numel(); i++) m.setDouble(i, r.nextInt(3) == 0 ? -3.4028234663852886e38 : 0);
            ins.add(m);
        } else if (maskKind == 2) ins.add(rnd(r, 3, sq, sk));   // a full additive bias, broadcast over B and H
        check(node("Attention", ins, nulls(ins.size()), Attribute.of("scale", (float) (1 / Math.sqrt(d))),
                Attribute.of("layout", bshd ? "BSHD" : "BHSD")), ins, 1e-4);
    }

    @Test
    void attentionBlocksLongQueries() {
        // more query rows than one score block holds at this key length: several GEMM blocks per head
        Random r = new Random(9);
        int sk = 700, sq = 200;
        Tensor q = rnd(r, 1, 1, 1, sq, 8), k = rnd(r, 1, 1, 1, sk, 8), v = rnd(r, 1, 1, 1, sk, 8);
        check(node("Attention", List.of(q, k, v), nulls(3), Attribute.of("scale", 0.3f)), List.of(q, k, v), 1e-4);
    }
}
