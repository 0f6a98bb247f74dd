package dev.kiln.codegen.opt;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random well-typed graphs for "optimizing keeps the meaning" properties: elementwise DAGs with broadcasting
 * constants, Reshape/Transpose chains, exporter-style shape arithmetic, Identity/Cast/Dropout noise, cancelling
 * Squeeze/Unsqueeze pairs and duplicated nodes. Only input types are declared (the first dim symbolic); the rest
 * is left to type inference, as after import. The same seed builds the same graph and feed.
 */
final class RandomGraphs {
    record Case(Graph graph, Map<String, Tensor> feed) {}

    private final Random r;
    private final Graph g = new Graph("random");
    private final List<Value> pool = new ArrayList<>();
    private final Map<Value, long[]> shapes = new java.util.IdentityHashMap<>();
    private int counter;

    private RandomGraphs(long seed) { this.r = new Random(seed); }

    static Case build(long seed) { return new RandomGraphs(seed).build(); }

    private Case build() {
        g.opsetImports().put("", 17);
        Map<String, Tensor> feed = new LinkedHashMap<>();
        int rank = 2 + r.nextInt(2);
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) dims[i] = 1 + r.nextInt(4);
        int inputs = 1 + r.nextInt(2);
        for (int k = 0; k < inputs; k++) {
            List<Dim> typeDims = new ArrayList<>();
            for (int i = 0; i < rank; i++) typeDims.add(i == 0 ? Dim.sym("N") : Dim.of(dims[i]));
            Value x = new Value("x" + k, new ValueType.TensorType(DType.F32, typeDims));
            g.inputs().add(x);
            add(x, dims);
            feed.put(x.name(), random(dims));
        }
        int steps = 3 + r.nextInt(12);
        for (int s = 0; s < steps; s++) step();
        Value last = pool.get(pool.size() - 1);
        if (!g.inputs().contains(last)) g.outputs().add(last);
        for (int i = 0; i < 2; i++) {
            Value v = pool.get(r.nextInt(pool.size()));
            if (!g.outputs().contains(v) && !g.inputs().contains(v) && v.constant() == null) g.outputs().add(v);
        }
        if (g.outputs().isEmpty()) g.outputs().add(node("Relu", List.of(last), Map.of(), shapes.get(last)));
        return new Case(g, feed);
    }

    private void step() {
        Value v = pool.get(r.nextInt(pool.size()));
        long[] s = shapes.get(v);
        switch (r.nextInt(11)) {
            case 0 -> node(pick("Relu", "Neg", "Abs", "Tanh", "Sigmoid"), List.of(v), Map.of(), s);
            case 1 -> node(pick("Add", "Sub", "Mul", "Max", "Min"), List.of(v, sameShape(v)), Map.of(), s);
            case 2 -> node(pick("Add", "Mul", "Sub", "Div"), List.of(v, broadcastConstant(s)), Map.of(), s);
            case 3 -> noise(v, s);
            case 4 -> transposes(v, s);
            case 5 -> reshapeChain(v, s);
            case 6 -> shapeArithmetic(v, s);
            case 7 -> squeezePair(v, s);
            case 8 -> duplicateLast();
            case 9 -> node("Expand", List.of(v, ints(expandTarget(s))), Map.of(), s);
            default -> node("Reshape", List.of(v, ints(s)), Map.of(), s);
        }
    }

    private void noise(Value v, long[] s) {
        switch (r.nextInt(5)) {
            case 0 -> node("Identity", List.of(v), Map.of(), s);
            case 1 -> node("Cast", List.of(v), Map.of("to", Attribute.of("to", (long) DType.F32.onnxCode())), s);
            case 2 -> node("Dropout", List.of(v), Map.of(), s);
            case 3 -> node("CastLike", List.of(v, v), Map.of(), s);
            default -> {
                Value d = node("Cast", List.of(v), Map.of("to", Attribute.of("to", (long) DType.F64.onnxCode())), s);
                pool.remove(d);   // float64: only the cast back may read it
                node("Cast", List.of(d), Map.of("to", Attribute.of("to", (long) DType.F32.onnxCode())), s);
            }
        }
    }

    private void transposes(Value v, long[] s) {
        int[] p = permutation(s.length);
        long[] ts = new long[s.length];
        for (int i = 0; i < p.length; i++) ts[i] = s[p[i]];
        Value t = node("Transpose", List.of(v), Map.of("perm", Attribute.of("perm", toLongs(p))), ts);
        if (r.nextBoolean()) {
            int[] inv = new int[p.length];
            for (int i = 0; i < p.length; i++) inv[p[i]] = i;
            node("Transpose", List.of(t), Map.of("perm", Attribute.of("perm", toLongs(inv))), s);
        } else {
            int[] q = permutation(s.length);
            long[] qs = new long[s.length];
            for (int i = 0; i < q.length; i++) qs[i] = ts[q[i]];
            node("Transpose", List.of(t), Map.of("perm", Attribute.of("perm", toLongs(q))), qs);
        }
    }

    private void reshapeChain(Value v, long[] s) {
        long n = Arrays.stream(s).reduce(1, (a, b) -> a * b);
        Value flat = node("Reshape", List.of(v, ints(new long[] {-1})), Map.of(), new long[] {n});
        long[] back = s.clone();
        if (r.nextBoolean()) back[0] = -1;
        node("Reshape", List.of(flat, ints(back)), Map.of(), s);
    }

    /** Shape -> Gather -> Unsqueeze -> Concat -> Reshape, as exporters write "reshape to my own dims". */
    private void shapeArithmetic(Value v, long[] s) {
        Value shape = node("Shape", List.of(v), Map.of(), new long[] {s.length});
        List<Value> pieces = new ArrayList<>();
        for (int i = 0; i < s.length; i++) {
            if (r.nextInt(3) == 0) { pieces.add(ints(new long[] {s[i]})); continue; }
            Value d = node("Gather", List.of(shape, scalarInt(i - (r.nextBoolean() ? s.length : 0))), Map.of("axis", Attribute.of("axis", 0L)), new long[0]);
            if (r.nextInt(4) == 0) d = node("Mul", List.of(d, scalarInt(1)), Map.of(), new long[0]);
            pieces.add(node("Unsqueeze", List.of(d, ints(new long[] {0})), Map.of(), new long[] {1}));
        }
        Value target = node("Concat", pieces, Map.of("axis", Attribute.of("axis", 0L)), new long[] {s.length});
        Value flat = r.nextBoolean() ? v : node("Reshape", List.of(v, ints(new long[] {-1})), Map.of(), new long[] {Arrays.stream(s).reduce(1, (a, b) -> a * b)});
        node("Reshape", List.of(flat, target), Map.of(), s);
        if (r.nextBoolean()) node("Size", List.of(v), Map.of(), new long[0]);
    }

    private void squeezePair(Value v, long[] s) {
        int axis = r.nextInt(s.length + 1);
        long[] us = new long[s.length + 1];
        for (int i = 0, j = 0; i < us.length; i++) us[i] = i == axis ? 1 : s[j++];
        long a = r.nextBoolean() ? axis : axis - us.length;
        Value u = node("Unsqueeze", List.of(v, ints(new long[] {a})), Map.of(), us);
        node("Squeeze", List.of(u, ints(new long[] {axis})), Map.of(), s);
    }

    private void duplicateLast() {
        Node last = g.nodes().isEmpty() ? null : g.nodes().get(g.nodes().size() - 1);
        if (last == null || last.outputs().size() != 1 || last.opType().equals("Constant")) return;
        node(last.opType(), last.inputs(), last.attributes(), shapes.get(last.output(0)));
    }

    private long[] expandTarget(long[] s) {
        long[] t = s.clone();
        int drop = r.nextInt(s.length);
        long[] out = Arrays.copyOfRange(t, drop, t.length);
        for (int i = 0; i < out.length; i++) if (r.nextInt(3) == 0) out[i] = 1;
        return out;
    }

    private Value sameShape(Value v) {
        List<Value> same = new ArrayList<>();
        for (Value w : pool) if (Arrays.equals(shapes.get(w), shapes.get(v)) && shapes.get(w) != null) same.add(w);
        return same.get(r.nextInt(same.size()));
    }

    /** A constant broadcastable to {@code s}: a suffix with random 1s, maybe computed from two constants. */
    private Value broadcastConstant(long[] s) {
        long[] c = Arrays.copyOfRange(s, r.nextInt(s.length + 1), s.length);
        for (int i = 0; i < c.length; i++) if (r.nextInt(3) == 0) c[i] = 1;
        Value a = constant(random(c));
        if (r.nextInt(3) != 0) return a;
        Value folded = node(pick("Add", "Mul"), List.of(a, constant(random(c))), Map.of(), c);
        pool.remove(folded);   // an operand only: its shape is a suffix of s
        return folded;
    }

    private Value constant(Tensor t) {
        if (r.nextBoolean()) {
            Value v = new Value("c" + counter++, ValueType.TensorType.of(t.dtype(), t.shape()));
            v.setConstant(t);
            g.initializers().add(v);
            return v;
        }
        Value out = new Value("k" + counter++, ValueType.UNKNOWN);
        g.addNode(new Node("", "", "Constant", List.of(), List.of(out), Map.of("value", Attribute.of("value", t))));
        shapes.put(out, t.shape().dims());
        return out;
    }

    private Value ints(long[] values) { return constant(Tensor.ofLongs(values, values.length)); }

    private Value scalarInt(long v) { return constant(Tensor.ofLongs(new long[] {v})); }

    private Value node(String op, List<Value> ins, Map<String, Attribute> attrs, long[] shape) {
        Value out = new Value("v" + counter++, ValueType.UNKNOWN);
        g.addNode(new Node("", "", op, ins, List.of(out), attrs));
        add(out, shape);
        return out;
    }

    private void add(Value v, long[] shape) {
        shapes.put(v, shape);
        // Shape-typed int64 values stay out of the pool: elementwise float ops must not read them.
        if (!g.nodes().isEmpty() && Arrays.asList("Shape", "Gather", "Unsqueeze", "Concat", "Size", "Mul").contains(producerOp(v))
                && isIntChain(v)) return;
        pool.add(v);
    }

    private boolean isIntChain(Value v) {
        Node p = v.producer();
        if (p == null) return false;
        return switch (p.opType()) {
            case "Shape", "Size", "Gather", "Concat" -> true;
            case "Unsqueeze", "Mul" -> p.input(0) != null && isIntChain(p.input(0));
            default -> false;
        };
    }

    private static String producerOp(Value v) { return v.producer() == null ? "" : v.producer().opType(); }

    private Tensor random(long[] dims) {
        Shape s = Shape.of(dims);
        float[] f = new float[(int) s.numel()];
        for (int i = 0; i < f.length; i++) f[i] = (float) (r.nextGaussian() * 2);
        return Tensor.of(f, dims);
    }

    private int[] permutation(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(i);
        java.util.Collections.shuffle(l, r);
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    private static long[] toLongs(int[] p) { return Arrays.stream(p).asLongStream().toArray(); }

    private String pick(String... ops) { return ops[r.nextInt(ops.length)]; }
}
