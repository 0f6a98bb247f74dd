package dev.kiln.codegen.elementwise;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random f32 elementwise DAGs with random broadcast shapes (size-1 dims, primes, rows shorter than a vector,
 * zero-size), built from a seed so the same case can be rebuilt for the unfused and fused runs.
 */
public final class RandomElementwiseGraphs {
    private RandomElementwiseGraphs() {}

    /** Ops computed exactly by the generated code (bit-identical to the reference). */
    public static final List<String> EXACT_UNARY = List.of("Neg", "Abs", "Sqrt", "Reciprocal", "Relu", "Erf", "Floor", "Ceil");
    public static final List<String> EXACT_BINARY = List.of("Add", "Sub", "Mul", "Div", "Max", "Min");
    /** Ops whose vector forms are approximations within a few ulps. */
    public static final List<String> APPROX_UNARY = List.of("Exp", "Tanh", "Sigmoid", "Sin", "Cos", "Log");
    public static final List<String> APPROX_BINARY = List.of("Pow");
    static final List<String> COMPARISONS = List.of("Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Equal");
    static final long[] DIMS = {0, 1, 1, 2, 3, 4, 5, 7, 8, 13, 16, 17, 31, 33, 64};

    public record Case(Graph graph, Map<String, Tensor> inputs, Shape outShape) {}

    public static Case build(long seed, boolean approx) {
        Random r = new Random(seed);
        int rank = r.nextInt(5);
        long[] out = new long[rank];
        long numel = 1;
        for (int i = 0; i < rank; i++) {
            out[i] = DIMS[r.nextInt(DIMS.length)];
            if (out[i] == 0 && r.nextInt(4) != 0) out[i] = 3;   // zero-size sometimes, not usually
            if (numel * Math.max(out[i], 1) > 6000) out[i] = 1;
            numel *= Math.max(out[i], 1);
        }
        Graph g = new Graph("random");
        g.opsetImports().put("", 17);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        List<Value> pool = new ArrayList<>();
        int nIn = 1 + r.nextInt(4);
        for (int k = 0; k < nIn; k++) {
            Shape s = k == 0 ? Shape.of(out) : broadcastableTo(out, r);
            Value v = new Value("in" + k, TensorType.of(DType.F32, s));
            g.inputs().add(v);
            pool.add(v);
            double[] data = new double[(int) s.numel()];
            for (int i = 0; i < data.length; i++) data[i] = value(r);
            feeds.put(v.name(), Tensor.fromDoubles(DType.F32, data, s.dims()));
        }
        if (r.nextBoolean()) pool.add(constant(g, "c0", Shape.SCALAR, (float) value(r)));
        if (r.nextInt(4) == 0 && rank >= 2) pool.add(constant(g, "c1", Shape.of(1, 1), (float) value(r)));
        List<String> unary = new ArrayList<>(EXACT_UNARY), binary = new ArrayList<>(EXACT_BINARY);
        if (approx) { unary.addAll(APPROX_UNARY); binary.addAll(APPROX_BINARY); }
        int nOps = 1 + r.nextInt(9);
        for (int j = 0; j < nOps; j++) {
            int kind = r.nextInt(10);
            String name = "v" + j;
            if (kind < 4) {
                node(g, unary.get(r.nextInt(unary.size())), List.of(pick(pool, r)), name, pool, DType.F32);
            } else if (kind < 9) {
                node(g, binary.get(r.nextInt(binary.size())), List.of(pick(pool, r), pick(pool, r)), name, pool, DType.F32);
            } else {
                Value c = node(g, COMPARISONS.get(r.nextInt(COMPARISONS.size())), List.of(pick(pool, r), pick(pool, r)), name + "_c", null, DType.BOOL);
                node(g, "Where", List.of(c, pick(pool, r), pick(pool, r)), name, pool, DType.F32);
            }
        }
        // sometimes reduce the last value over its last axis, as ReduceSum (axes input) / ReduceMean / ReduceMax
        long[] lastDims = ((TensorType) pool.getLast().type()).shapeOrNull().dims();
        if (lastDims.length >= 1 && r.nextInt(3) == 0 && pool.getLast().producer() != null) {
            Value v = pool.getLast();
            int vr = lastDims.length;
            long[] rd = lastDims.clone();
            rd[rd.length - 1] = 1;
            Value red = new Value("reduced", TensorType.of(DType.F32, Shape.of(rd)));
            String op = List.of("ReduceSum", "ReduceMean", "ReduceMax").get(r.nextInt(3));
            if (op.equals("ReduceSum")) {
                Value axes = new Value("axes", TensorType.of(DType.I64, Shape.of(1)));
                axes.setConstant(Tensor.ofLongs(new long[] {-1}, 1));
                g.initializers().add(axes);
                g.nodes().add(new Node("reduce", "", op, List.of(v, axes), List.of(red), Map.of()));
            } else {
                g.nodes().add(new Node("reduce", "", op, List.of(v), List.of(red),
                        Map.of("axes", dev.kiln.graph.Attribute.of("axes", new long[] {vr - 1}))));
            }
            pool.add(red);
        }
        // one or two outputs: the last value, sometimes an intermediate too (it must then stay materialized)
        Value last = pool.getLast();
        g.outputs().add(last);
        if (r.nextInt(3) == 0 && pool.size() > nIn + 2) {
            Value mid = pool.get(nIn + r.nextInt(pool.size() - nIn - 1));
            if (mid != last && mid.producer() != null) g.outputs().add(mid);
        }
        return new Case(g, feeds, Shape.of(out));
    }

    private static double value(Random r) {
        return switch (r.nextInt(12)) {
            case 0 -> 0.0;
            case 1 -> -0.0;
            case 2 -> 1.0;
            default -> (r.nextDouble() * 6 - 3);
        };
    }

    private static Value pick(List<Value> pool, Random r) {
        // prefer recent values so chains get deep
        int n = pool.size();
        return r.nextInt(3) == 0 ? pool.get(r.nextInt(n)) : pool.get(Math.max(0, n - 1 - r.nextInt(Math.min(n, 3))));
    }

    private static Shape broadcastableTo(long[] out, Random r) {
        int rank = r.nextInt(out.length + 1);
        long[] s = new long[rank];
        for (int i = 0; i < rank; i++) {
            long d = out[out.length - rank + i];
            s[i] = r.nextInt(3) == 0 ? 1 : d;
        }
        return Shape.of(s);
    }

    private static Value constant(Graph g, String name, Shape s, float v) {
        Value c = new Value(name, TensorType.of(DType.F32, s));
        c.setConstant(Tensor.fromDoubles(DType.F32, new double[] {v}, s.dims()));
        g.initializers().add(c);
        return c;
    }

    private static Value node(Graph g, String op, List<Value> in, String name, List<Value> pool, DType dtype) {
        Shape s = Shape.SCALAR;
        for (Value v : in) {
            if (v.type() instanceof TensorType t && t.dtype() == DType.F32) s = Shape.broadcast(s, t.shapeOrNull());
            else if (v.type() instanceof TensorType t) s = Shape.broadcast(s, t.shapeOrNull());
        }
        Value out = new Value(name, TensorType.of(dtype, s));
        g.nodes().add(new Node(name, "", op, in, List.of(out), Map.of()));
        if (pool != null) pool.add(out);
        return out;
    }
}
