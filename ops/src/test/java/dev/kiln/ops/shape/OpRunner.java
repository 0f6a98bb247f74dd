package dev.kiln.ops.shape;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.ops.OpTestRunner;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: a fluent front on {@link OpTestRunner} (a one-node graph, inputs fed at run time, absent ones left
 * out, run through the interpreter).
 */
public final class OpRunner {
    private final String domain;
    private final String opType;
    private int opset = 24;
    private final List<Object> inputs = new ArrayList<>();
    private final Map<String, Attribute> attrs = new LinkedHashMap<>();
    private int outputs = 1;

    private OpRunner(String domain, String opType) { this.domain = domain; this.opType = opType; }

    public static OpRunner op(String opType) { return new OpRunner("", opType); }
    public static OpRunner op(String domain, String opType) { return new OpRunner(domain, opType); }

    public OpRunner opset(int v) { opset = v; return this; }
    /** Next input: a Tensor, TensorSequence or OptionalValue; null leaves the slot absent. */
    public OpRunner in(Object value) { inputs.add(value); return this; }
    public OpRunner attr(String name, long v) { attrs.put(name, Attribute.of(name, v)); return this; }
    public OpRunner attr(String name, float v) { attrs.put(name, Attribute.of(name, v)); return this; }
    public OpRunner attr(String name, String v) { attrs.put(name, Attribute.of(name, v)); return this; }
    public OpRunner attr(String name, long[] v) { attrs.put(name, Attribute.of(name, v)); return this; }
    public OpRunner attr(String name, float[] v) { attrs.put(name, Attribute.of(name, v)); return this; }
    public OpRunner attr(String name, String[] v) { attrs.put(name, Attribute.of(name, v)); return this; }
    public OpRunner attr(String name, Tensor v) { attrs.put(name, Attribute.of(name, v)); return this; }
    public OpRunner attr(String name, Graph v) { attrs.put(name, Attribute.of(name, v)); return this; }
    public OpRunner outputs(int n) { outputs = n; return this; }

    public Object[] run() {
        Map<String, Integer> opsets = new LinkedHashMap<>();
        opsets.put(domain, opset);
        if (!domain.isEmpty()) opsets.put("", 24);
        return OpTestRunner.run(domain, opType, opsets, OpTestRunner.all(outputs), attrs, inputs).results();
    }

    public Tensor run1() { return (Tensor) run()[0]; }

    public static Tensor longs(long... v) { return Tensor.ofLongs(v, v.length); }
    public static Tensor floats(float[] v, long... dims) { return Tensor.of(v, dims); }

    /** 0, 1, 2, ... as float32 of the given shape. */
    public static Tensor iota(long... dims) {
        long n = 1;
        for (long d : dims) n *= d;
        float[] f = new float[(int) n];
        for (int i = 0; i < f.length; i++) f[i] = i;
        return Tensor.of(f, dims);
    }
}
