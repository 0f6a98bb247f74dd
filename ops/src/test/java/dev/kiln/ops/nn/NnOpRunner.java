package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.ops.OpSchema;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Test helper: runs a single op through the reference interpreter in a one-node graph. */
final class NnOpRunner {
    private NnOpRunner() {}

    /** Runs {@code op} at {@code opset}; null inputs are absent optional inputs. Returns {@code outputs} results. */
    static Tensor[] run(String op, int opset, int outputs, List<Attribute> attrs, Tensor... inputs) {
        Graph g = new Graph("t");
        g.opsetImports().put("", opset);
        List<Value> in = new ArrayList<>();
        Map<String, Object> feed = new LinkedHashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) { in.add(null); continue; }
            Value v = new Value("in" + i, ValueType.UNKNOWN);
            g.inputs().add(v);
            in.add(v);
            feed.put(v.name(), inputs[i]);
        }
        List<Value> out = new ArrayList<>();
        for (int o = 0; o < outputs; o++) {
            Value v = new Value("out" + o, ValueType.UNKNOWN);
            out.add(v);
            g.outputs().add(v);
        }
        Map<String, Attribute> am = new LinkedHashMap<>();
        for (Attribute a : attrs) am.put(a.name(), a);
        g.addNode(new Node("n", "", op, in, out, am));
        Map<String, Object> res = new Interpreter(g, OpRegistry.standard()).run(feed);
        Tensor[] r = new Tensor[outputs];
        for (int o = 0; o < outputs; o++) r[o] = (Tensor) res.get("out" + o);
        checkInference(g.nodes().get(0), opset, inputs, r);
        return r;
    }

    /**
     * Every run also checks the op's static type inference against what the kernel produced: dtype, rank and
     * every dim inference claims to know must agree with the actual output.
     */
    static void checkInference(Node node, int opset, Tensor[] inputs, Tensor[] actual) {
        OpSchema schema = OpRegistry.standard().lookup("", node.opType(), opset);
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
            if (t.dtype() != null) org.junit.jupiter.api.Assertions.assertEquals(actual[o].dtype(), t.dtype(), where);
            if (!t.hasRank()) continue;
            org.junit.jupiter.api.Assertions.assertEquals(actual[o].rank(), t.rank(), where);
            for (int d = 0; d < t.rank(); d++)
                if (t.dims().get(d) instanceof Dim.Known k)
                    org.junit.jupiter.api.Assertions.assertEquals(actual[o].shape().dim(d), k.value(), where);
        }
    }

    static Tensor run1(String op, int opset, List<Attribute> attrs, Tensor... inputs) {
        return run(op, opset, 1, attrs, inputs)[0];
    }

    static Tensor random(Random rnd, long... dims) {
        int n = 1;
        for (long d : dims) n *= (int) d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian());
        return Tensor.of(v, dims);
    }

    static Tensor randomInts(Random rnd, DType dt, long... dims) {
        int n = 1;
        for (long d : dims) n *= (int) d;
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextInt(200) - 100;
        return Tensor.fromLongs(dt, v, dims);
    }

    /** |a - e| <= atol + rtol |e| elementwise, with exact shape and dtype. */
    static void assertClose(Tensor expected, Tensor actual, double rtol, double atol) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.dtype(), actual.dtype(), "dtype");
        org.junit.jupiter.api.Assertions.assertEquals(expected.shape(), actual.shape(), "shape");
        for (long i = 0; i < expected.numel(); i++) {
            double e = expected.getDouble(i), a = actual.getDouble(i);
            if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e)))
                org.junit.jupiter.api.Assertions.fail("element " + i + ": expected " + e + ", got " + a);
        }
    }
}
