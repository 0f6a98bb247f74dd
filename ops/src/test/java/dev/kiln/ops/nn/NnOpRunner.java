package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
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
        return r;
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
