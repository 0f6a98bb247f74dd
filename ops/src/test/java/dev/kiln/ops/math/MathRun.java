package dev.kiln.ops.math;

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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helper for the ops-math families: one node, run through the reference interpreter at a chosen opset. */
public final class MathRun {
    private final String opType;
    private int opset = 25;
    private final List<Tensor> inputs = new ArrayList<>();
    private final Map<String, Attribute> attrs = new LinkedHashMap<>();
    private int outputs = 1;

    private MathRun(String opType) { this.opType = opType; }

    public static MathRun op(String opType) { return new MathRun(opType); }
    public MathRun opset(int v) { opset = v; return this; }
    /** Next input; null leaves an optional slot empty. */
    public MathRun in(Tensor t) { inputs.add(t); return this; }
    public MathRun attr(String name, long v) { attrs.put(name, Attribute.of(name, v)); return this; }
    public MathRun attr(String name, float v) { attrs.put(name, Attribute.of(name, v)); return this; }
    public MathRun attr(String name, String v) { attrs.put(name, Attribute.of(name, v)); return this; }
    public MathRun attr(String name, long[] v) { attrs.put(name, Attribute.of(name, v)); return this; }
    public MathRun outputs(int n) { outputs = n; return this; }

    public Object[] run() {
        Graph g = new Graph("t");
        g.opsetImports().put("", opset);
        List<Value> in = new ArrayList<>();
        Map<String, Object> feed = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i) == null) { in.add(null); continue; }
            Value v = new Value("x" + i, ValueType.UNKNOWN);
            g.inputs().add(v);
            in.add(v);
            feed.put(v.name(), inputs.get(i));
        }
        List<Value> out = new ArrayList<>();
        for (int i = 0; i < outputs; i++) out.add(new Value("y" + i, ValueType.UNKNOWN));
        g.addNode(new Node("n", "", opType, in, out, attrs));
        g.outputs().addAll(out);
        return new Interpreter(g, OpRegistry.standard()).run(feed).values().toArray();
    }

    public Tensor run1() { return (Tensor) run()[0]; }

    public static Tensor f32(float... v) { return Tensor.of(v, v.length); }
    public static Tensor i64(long... v) { return Tensor.ofLongs(v, v.length); }
    public static Tensor of(DType t, double... v) { return Tensor.fromDoubles(t, v, v.length); }

    public static void assertValues(Tensor t, double... want) {
        assertEquals(want.length, t.numel(), "element count of " + t);
        for (int i = 0; i < want.length; i++) {
            double g = t.getDouble(i);
            if (Double.isNaN(want[i])) assertEquals(Double.NaN, g, "element " + i + " of " + t);
            else assertEquals(want[i], g, Math.abs(want[i]) * 1e-6 + 1e-7, "element " + i + " of " + t);
        }
    }

    public static void assertLongs(Tensor t, long... want) {
        assertEquals(want.length, t.numel(), "element count of " + t);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], t.getLong(i), "element " + i + " of " + t);
    }
}
