package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.pass.PassPipeline;
import dev.kiln.graph.text.IrPrinter;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Builds small typed graphs in code (until the IR text parser lands) and checks a fusion the way every pass is
 * checked: the optimized graph, verified after each pass, must compute what the reference interpreter computes on
 * the unoptimized graph.
 */
final class GraphKit {
    final Graph g;
    private int counter;

    GraphKit(int opset) {
        g = new Graph("test");
        g.opsetImports().put("", opset);
    }

    Value input(String name, DType dt, long... dims) {
        Value v = new Value(name, ValueType.TensorType.of(dt, Shape.of(dims)));
        g.inputs().add(v);
        return v;
    }

    Value input(String name, long... dims) { return input(name, DType.F32, dims); }

    Value init(String name, Tensor t) {
        Value v = new Value(name, ValueType.TensorType.of(t.dtype(), t.shape()));
        v.setConstant(t);
        g.initializers().add(v);
        return v;
    }

    /** A Constant node (what exporters emit for scalars) rather than an initializer. */
    Value constNode(Tensor t) {
        Value v = new Value("c" + (counter++), ValueType.TensorType.of(t.dtype(), t.shape()));
        g.nodes().add(new Node("const" + counter, "", "Constant", List.of(), List.of(v), Map.of("value", Attribute.of("value", t))));
        return v;
    }

    Value scalar(double x) { return constNode(Tensor.scalar(DType.F32, x)); }

    /** Adds a node with one output of the given static type. */
    Value op(String opType, List<Value> inputs, ValueType out, Attribute... attrs) {
        Value v = new Value(opType.toLowerCase() + "_" + (counter++), out);
        Map<String, Attribute> a = new LinkedHashMap<>();
        for (Attribute x : attrs) a.put(x.name(), x);
        g.nodes().add(new Node("n" + counter, "", opType, new ArrayList<>(inputs), List.of(v), a));
        return v;
    }

    Value op(String opType, List<Value> inputs, long[] outDims, Attribute... attrs) {
        return op(opType, inputs, ValueType.TensorType.of(DType.F32, Shape.of(outDims)), attrs);
    }

    void output(Value v) { g.outputs().add(v); }

    static long[] dims(long... d) { return d; }

    static Tensor random(Random rnd, double scale, long... dims) {
        Shape s = Shape.of(dims);
        float[] x = new float[(int) s.numel()];
        for (int i = 0; i < x.length; i++) x[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        return Tensor.of(x, dims);
    }

    static PassContext ctx() {
        OpRegistry r = OpRegistry.standard();
        return new PassContext(n -> r.lookup(n.domain(), n.opType(), 1), Set.of(), true, null);
    }

    static Map<String, Integer> histogram(Graph g) {
        Map<String, Integer> h = new TreeMap<>();
        for (Node n : g.nodes()) h.merge((n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType(), 1, Integer::sum);
        return h;
    }

    /**
     * Builds the graph twice, optimizes one copy with {@code passes} (verifier on), runs both on {@code inputs}
     * (reference kernels) and asserts every output agrees within {@code tol} (absolute + relative). Returns the
     * optimized graph for structural checks.
     */
    static Graph checkFusion(Supplier<GraphKit> build, List<Pass> passes, Map<String, Object> inputs, double tol) {
        Graph before = build.get().g, after = build.get().g;
        String text = IrPrinter.print(after);
        new PassPipeline("test", passes).run(after, ctx());
        Map<String, Object> want = new Interpreter(before, OpRegistry.standard()).run(inputs);
        Map<String, Object> got = new Interpreter(after, OpRegistry.standard()).run(inputs);
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) {
            Tensor w = (Tensor) want.get(k), o = (Tensor) got.get(k);
            assertEquals(w.shape(), o.shape(), k);
            assertEquals(w.dtype(), o.dtype(), k);
            for (long i = 0; i < w.numel(); i++) {
                double a = w.getDouble(i), b = o.getDouble(i);
                if (Double.isNaN(a) && Double.isNaN(b)) continue;
                if (!(Math.abs(a - b) <= tol * (1 + Math.abs(a))))
                    fail(k + "[" + i + "]: unfused " + a + " vs fused " + b + "\nbefore:\n" + text + "\nafter:\n" + IrPrinter.print(after));
            }
        }
        return after;
    }

    static Map<String, Object> feeds(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static void assertOps(Graph g, Map<String, Integer> want) {
        Map<String, Integer> h = histogram(g);
        for (var e : want.entrySet())
            assertEquals(e.getValue(), h.getOrDefault(e.getKey(), 0), e.getKey() + " in " + h + "\n" + IrPrinter.print(g));
    }

    static void assertNoOps(Graph g, String... ops) {
        Map<String, Integer> h = histogram(g);
        for (String o : ops) assertTrue(!h.containsKey(o), o + " should be gone: " + h + "\n" + IrPrinter.print(g));
    }

    static long[] concat(long[] a, long... b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
