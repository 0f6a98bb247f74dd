package dev.kiln.runtime.cpu;

import dev.kiln.codegen.opt.Optimizer;
import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.infer.TypeInference;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.text.IrPrinter;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.runtime.Session;
import dev.kiln.runtime.SessionOptions;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * O3's channels-last layout on random conv chains (1-3 convs, random channels, 1x1/3x3 kernels, strides, explicit or SAME pads,
 * optional bias, Relu / Add of a constant between): the graph optimized at O3 — run by the reference interpreter
 * and by a CPU session (fast ConvNhwc kernel), and at O2 (FusedConv's fast NCHW kernel) — computes what the reference interpreter computes on the
 * unoptimized graph, and the transposes between convolutions are gone (one at entry, one at exit).
 * Values are multiples of 1/4 so every sum is exact in f32 and the ONNX tolerance is not hiding layout bugs.
 */
class ConvChainLayoutProperties {
    static final OpRegistry REGISTRY = OpRegistry.standard();

    record Chain(Graph graph, Tensor input, int convs) {}

    static Chain build(long seed) {
        Random rnd = new Random(seed);
        Graph g = new Graph("chain");
        g.opsetImports().put("", 17);
        long n = 1 + rnd.nextInt(2), c = 1 + rnd.nextInt(6), h = 1 + rnd.nextInt(9), w = 1 + rnd.nextInt(9);
        Value x = new Value("x", ValueType.TensorType.of(DType.F32, Shape.of(n, c, h, w)));
        g.inputs().add(x);
        Tensor input = quarters(rnd, n, c, h, w);
        int convs = 1 + rnd.nextInt(3);
        Value cur = x;
        for (int i = 0; i < convs; i++) {
            long cout = 1 + rnd.nextInt(8);
            int k = rnd.nextBoolean() ? 1 : 3;
            int pad = k == 3 && (h < 3 || w < 3 || rnd.nextBoolean()) ? 1 : 0;
            int sh = 1 + rnd.nextInt(2), sw = 1 + rnd.nextInt(2);
            List<Value> in = new ArrayList<>(List.of(cur, init(g, "w" + i, quarters(rnd, cout, c, k, k))));
            if (rnd.nextBoolean()) in.add(init(g, "b" + i, quarters(rnd, cout)));
            c = cout;
            int mode = rnd.nextInt(6);   // 0: SAME_UPPER, 1: SAME_LOWER (the pass resolves them), else explicit pads
            Attribute padding = mode < 2 ? Attribute.of("auto_pad", mode == 0 ? "SAME_UPPER" : "SAME_LOWER")
                    : Attribute.of("pads", new long[]{pad, pad, pad, pad});
            h = mode < 2 ? (h + sh - 1) / sh : (h + 2L * pad - k) / sh + 1;
            w = mode < 2 ? (w + sw - 1) / sw : (w + 2L * pad - k) / sw + 1;
            cur = node(g, "Conv", in, "conv" + i, padding,
                    Attribute.of("strides", new long[]{sh, sw}), Attribute.of("kernel_shape", new long[]{k, k}));
            switch (rnd.nextInt(4)) {
                case 0 -> cur = node(g, "Relu", List.of(cur), "relu" + i);
                case 1 -> {
                    long[][] shapes = {{}, {c, 1, 1}, {1, c, 1, 1}, {w}};
                    long[] s = shapes[rnd.nextInt(shapes.length)];
                    Value k0 = init(g, "c" + i, quarters(rnd, s));
                    cur = node(g, "Add", rnd.nextBoolean() ? List.of(cur, k0) : List.of(k0, cur), "add" + i);
                }
                case 2 -> {
                    cur = node(g, "Relu", List.of(cur), "relu" + i);
                    cur = node(g, "Mul", List.of(cur, init(g, "m" + i, quarters(rnd, c, 1, 1))), "mul" + i);
                }
                default -> { }
            }
        }
        g.outputs().add(cur);
        TypeInference.run(g, (nd, opset) -> REGISTRY.lookup(nd.domain(), nd.opType(), opset));
        return new Chain(g, input, convs);
    }

    static Tensor quarters(Random rnd, long... dims) {
        Tensor t = Tensor.allocate(DType.F32, Shape.of(dims));
        for (long i = 0; i < t.numel(); i++) t.setDouble(i, (rnd.nextInt(9) - 4) / 4.0);
        return t;
    }

    static Value init(Graph g, String name, Tensor t) {
        Value v = new Value(name, ValueType.TensorType.of(t.dtype(), t.shape()));
        v.setConstant(t);
        g.initializers().add(v);
        return v;
    }

    static Value node(Graph g, String op, List<Value> in, String name, Attribute... attrs) {
        Value v = new Value(name, ValueType.UNKNOWN);
        Map<String, Attribute> a = new LinkedHashMap<>();
        for (Attribute x : attrs) a.put(x.name(), x);
        g.nodes().add(new Node(name + "_node", "", op, new ArrayList<>(in), List.of(v), a));
        return v;
    }

    @Property(tries = 120)
    void o3ConvChainsMatchTheReference(@ForAll long seed) {
        Chain ref = build(seed), opt = build(seed), sess = build(seed), o2 = build(seed);
        Tensor want = (Tensor) new Interpreter(ref.graph(), REGISTRY).run(Map.of("x", ref.input())).values().iterator().next();
        String before = IrPrinter.print(opt.graph());

        Graph g = opt.graph();
        Optimizer.optimize(g, 3, new PassContext(nd -> REGISTRY.lookup(nd.domain(), nd.opType(), g.opset(nd.domain())), Set.of(), true, null));
        String after = IrPrinter.print(g);
        long transposes = g.nodes().stream().filter(nd -> nd.opType().equals("Transpose")).count();
        long nhwc = g.nodes().stream().filter(nd -> nd.opType().equals("ConvNhwc")).count();
        assertEquals(opt.convs(), nhwc, "every conv goes channels-last:\n" + after);
        assertEquals(2, transposes, "one transpose at entry, one at exit:\n" + before + "after:\n" + after);
        Tensor interp = (Tensor) new Interpreter(g, REGISTRY).run(Map.of("x", opt.input())).values().iterator().next();
        compare(want, interp, "reference kernels, seed " + seed + "\n" + after);

        try (Session s = Session.of(sess.graph(), SessionOptions.defaults().withOptLevel(3).withThreads(2).withVerify(true))) {
            Tensor fast = s.run(Map.of("x", sess.input())).values().iterator().next();
            compare(want, fast, "CPU session, seed " + seed + "\n" + after);
        }
        // O2 keeps NCHW: Conv + Relu run as dev.kiln.FusedConv through its fast NCHW kernel
        try (Session s = Session.of(o2.graph(), SessionOptions.defaults().withOptLevel(2).withThreads(2).withVerify(true))) {
            Tensor fast = s.run(Map.of("x", o2.input())).values().iterator().next();
            compare(want, fast, "CPU session at O2, seed " + seed + "\n" + IrPrinter.print(s.graph()));
        }
    }

    static void compare(Tensor want, Tensor got, String where) {
        assertEquals(want.dtype(), got.dtype(), where);
        assertTrue(want.shape().equals(got.shape()), "shape " + want.shape() + " vs " + got.shape() + " at " + where);
        for (long i = 0; i < want.numel(); i++) {
            double a = want.getDouble(i), b = got.getDouble(i);
            if (Math.abs(a - b) > 1e-7 + 1e-3 * Math.abs(a)) fail("element " + i + ": " + a + " vs " + b + " at " + where);
        }
    }
}
