package dev.kiln.ops;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The op tests' shared helper: one node in a graph of its own, run by the reference interpreter. Each package's
 * runner (nn's {@code NnOpRunner}/{@code AttentionOpRunner}, shape's fluent {@code OpRunner}) is a thin front on it.
 */
public final class OpTestRunner {
    private OpTestRunner() {}

    /** The node that ran and its results, one per output. */
    public record Ran(Node node, Object[] results) {
        /** The results as tensors (a cast per output: a non-tensor result fails the test with a ClassCastException). */
        public Tensor[] tensors() {
            Tensor[] r = new Tensor[results.length];
            for (int o = 0; o < results.length; o++) r[o] = (Tensor) results[o];
            return r;
        }
    }

    /**
     * Runs {@code op} of {@code domain} with the given opset imports. Inputs are fed as graph inputs {@code in<i>}
     * (a null leaves the optional slot absent; values may be tensors, sequences or optionals); output {@code o}
     * is named {@code out<o>} and returned when {@code wanted[o]}, else left unnamed and returned as null.
     */
    public static Ran run(String domain, String op, Map<String, Integer> opsets, boolean[] wanted,
                          Map<String, Attribute> attrs, List<?> inputs) {
        Graph g = new Graph("t");
        g.opsetImports().putAll(opsets);
        List<Value> in = new ArrayList<>();
        Map<String, Object> feed = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i) == null) { in.add(null); continue; }
            Value v = new Value("in" + i, ValueType.UNKNOWN);
            g.inputs().add(v);
            in.add(v);
            feed.put(v.name(), inputs.get(i));
        }
        List<Value> out = new ArrayList<>();
        for (int o = 0; o < wanted.length; o++) {
            Value v = new Value(wanted[o] ? "out" + o : "", ValueType.UNKNOWN);
            out.add(v);
            if (wanted[o]) g.outputs().add(v);
        }
        Node node = g.addNode(new Node("n", domain, op, in, out, attrs));
        Map<String, Object> res = new Interpreter(g, OpRegistry.standard()).run(feed);
        Object[] r = new Object[wanted.length];
        for (int o = 0; o < wanted.length; o++) r[o] = wanted[o] ? res.get("out" + o) : null;
        return new Ran(node, r);
    }

    /** Every one of {@code n} outputs wanted. */
    public static boolean[] all(int n) {
        boolean[] w = new boolean[n];
        Arrays.fill(w, true);
        return w;
    }

    /** Attributes by name, in the given order. */
    public static Map<String, Attribute> byName(List<Attribute> attrs) {
        Map<String, Attribute> am = new LinkedHashMap<>();
        for (Attribute a : attrs) am.put(a.name(), a);
        return am;
    }

    /** float32 standard-normal values of the given shape. */
    public static Tensor gaussian(Random rnd, long... dims) {
        int n = 1;
        for (long d : dims) n *= (int) d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return Tensor.of(v, dims);
    }

    /**
     * Exact dtype and shape, then {@code |a - e| <= atol + rtol |e|} elementwise. With {@code nanMatchesNaN} a NaN
     * matches only a NaN; without it any NaN on either side fails.
     */
    public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol, boolean nanMatchesNaN) {
        assertEquals(expected.dtype(), actual.dtype(), "dtype");
        assertEquals(expected.shape(), actual.shape(), "shape");
        for (long i = 0; i < expected.numel(); i++) {
            double e = expected.getDouble(i), a = actual.getDouble(i);
            if (nanMatchesNaN && Double.isNaN(e) && Double.isNaN(a)) continue;
            if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) fail("element " + i + ": expected " + e + ", got " + a);
        }
    }

    /**
     * Checks the op's static type inference against what the kernel produced: given the input tensors' types
     * (and the inputs as constants), the dtype, rank and every dim inference claims to know must agree.
     */
    public static void assertInferenceAgrees(Node node, int opset, Tensor[] inputs, Tensor[] actual) {
        OpSchema schema = OpRegistry.standard().lookup(node.domain(), node.opType(), opset);
        ValueType[] set = new ValueType[actual.length];
        schema.inferTypes(new InferenceContext() {
            @Override public Node node() { return node; }
            @Override public int opsetVersion() { return opset; }
            @Override public int inputCount() { return inputs.length; }
            @Override public ValueType inputType(int i) {
                return i < inputs.length && inputs[i] != null ? ValueType.TensorType.of(inputs[i].dtype(), inputs[i].shape()) : ValueType.UNKNOWN;
            }
            @Override public Tensor constantInput(int i) { return i < inputs.length ? inputs[i] : null; }
            @Override public int outputCount() { return actual.length; }
            @Override public void setOutputType(int i, ValueType type) { if (i < set.length) set[i] = type; }
        });
        for (int o = 0; o < actual.length; o++) {
            if (!(set[o] instanceof ValueType.TensorType t) || actual[o] == null) continue;
            String where = node.opType() + " output " + o + ": inferred " + t + ", actual " + actual[o].dtype() + actual[o].shape();
            if (t.dtype() != null) assertEquals(actual[o].dtype(), t.dtype(), where);
            if (!t.hasRank()) continue;
            assertEquals(actual[o].rank(), t.rank(), where);
            for (int d = 0; d < t.rank(); d++)
                if (t.dims().get(d) instanceof Dim.Known k) assertEquals(actual[o].shape().dim(d), k.value(), where);
        }
    }
}
