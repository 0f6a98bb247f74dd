package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Test helper for the attention, image and signal ops: one node, run by the reference interpreter. */
final class AttentionOpRunner {
    private AttentionOpRunner() {}

    /** Runs {@code op} at {@code opset} with {@code outputs} outputs (null entries in {@code wanted} are left unnamed). */
    static Tensor[] run(String domain, String op, int opset, boolean[] wanted, List<Attribute> attrs, Tensor... inputs) {
        Graph g = new Graph("t");
        g.opsetImports().put(domain, opset);
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
        for (int o = 0; o < wanted.length; o++) {
            Value v = new Value(wanted[o] ? "out" + o : "", ValueType.UNKNOWN);
            out.add(v);
            if (wanted[o]) g.outputs().add(v);
        }
        Map<String, Attribute> am = new LinkedHashMap<>();
        for (Attribute a : attrs) am.put(a.name(), a);
        g.addNode(new Node("n", domain, op, in, out, am));
        Map<String, Object> res = new Interpreter(g, OpRegistry.standard()).run(feed);
        Tensor[] r = new Tensor[wanted.length];
        for (int o = 0; o < wanted.length; o++) r[o] = wanted[o] ? (Tensor) res.get("out" + o) : null;
        return r;
    }

    static Tensor[] run(String op, int opset, int outputs, List<Attribute> attrs, Tensor... inputs) {
        boolean[] w = new boolean[outputs];
        java.util.Arrays.fill(w, true);
        return run("", op, opset, w, attrs, inputs);
    }

    static Tensor run1(String op, int opset, List<Attribute> attrs, Tensor... inputs) {
        return run(op, opset, 1, attrs, inputs)[0];
    }

    static Tensor random(Random rnd, long... dims) {
        int n = 1;
        for (long d : dims) n *= (int) d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return Tensor.of(v, dims);
    }

    /** |a - e| <= atol + rtol |e| elementwise (NaN only matches NaN), with exact shape and dtype. */
    static void assertClose(Tensor expected, Tensor actual, double rtol, double atol) {
        assertEquals(expected.dtype(), actual.dtype(), "dtype");
        assertEquals(expected.shape(), actual.shape(), "shape");
        for (long i = 0; i < expected.numel(); i++) {
            double e = expected.getDouble(i), a = actual.getDouble(i);
            if (Double.isNaN(e) != Double.isNaN(a) || !Double.isNaN(e) && !(Math.abs(a - e) <= atol + rtol * Math.abs(e)))
                fail("element " + i + ": expected " + e + ", got " + a);
        }
    }
}
