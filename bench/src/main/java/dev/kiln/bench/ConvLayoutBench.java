package dev.kiln.bench;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.runtime.Session;
import dev.kiln.runtime.SessionOptions;
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
 * NCHW vs channels-last on a small conv chain built in code: X [1, C, S, S] through three 3x3 (pad 1) convs with
 * bias, each followed by Relu, in CPU sessions at the given opt levels (O1: Conv + Relu kernels in NCHW; O2: the
 * same fused into dev.kiln.FusedConv; O3: O2 + ConvNhwc with transposes only at entry and exit). A System.nanoTime
 * harness, not JMH: a few warm-up runs, then {@code runs} timed runs (after 5 warm-up rounds) per level, interleaved; prints median and min.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp ... dev.kiln.bench.ConvLayoutBench [C] [S] [runs] [threads] [levels]}
 */
public final class ConvLayoutBench {
    public static void main(String[] args) {
        int c = args.length > 0 ? Integer.parseInt(args[0]) : 32, s = args.length > 1 ? Integer.parseInt(args[1]) : 56;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 9, threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int[] levels = args.length > 4 ? Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray() : new int[]{1, 2, 3};
        Random rnd = new Random(1);
        Tensor x = random(rnd, 1, c, s, s);
        List<Session> sessions = new ArrayList<>();
        for (int level : levels)
            sessions.add(Session.of(chain(c, s, new Random(7)), SessionOptions.defaults().withOptLevel(level).withThreads(threads)));
        long[][] ns = new long[levels.length][runs];
        Tensor[] last = new Tensor[levels.length];
        for (int r = -5; r < runs; r++)
            for (int i = 0; i < levels.length; i++) {
                long t0 = System.nanoTime();
                last[i] = sessions.get(i).run(Map.of("x", x)).get("y");
                long dt = System.nanoTime() - t0;
                if (r >= 0) ns[i][r] = dt;
            }
        for (int i = 0; i < levels.length; i++) {
            long[] t = ns[i].clone();
            Arrays.sort(t);
            double maxDiff = 0;
            for (long k = 0; k < last[i].numel(); k++) maxDiff = Math.max(maxDiff, Math.abs(last[i].getDouble(k) - last[0].getDouble(k)));
            System.out.printf("O%d: median %.2f ms, min %.2f ms, max %.2f ms over %d runs (C=%d, %dx%d, threads %d; nodes %d; max |diff| vs O%d %.2e)%n",
                    levels[i], t[t.length / 2] / 1e6, t[0] / 1e6, t[t.length - 1] / 1e6, runs, c, s, s, threads,
                    sessions.get(i).graph().nodes().size(), levels[0], maxDiff);
            sessions.get(i).close();
        }
    }

    static Graph chain(int c, int s, Random rnd) {
        Graph g = new Graph("conv-chain");
        g.opsetImports().put("", 17);
        Value cur = new Value("x", ValueType.TensorType.of(DType.F32, Shape.of(1, c, s, s)));
        g.inputs().add(cur);
        for (int i = 0; i < 3; i++) {
            Value w = constant(g, "w" + i, random(rnd, c, c, 3, 3)), b = constant(g, "b" + i, random(rnd, c));
            cur = node(g, "Conv", List.of(cur, w, b), "conv" + i, Attribute.of("pads", new long[]{1, 1, 1, 1}),
                    Attribute.of("kernel_shape", new long[]{3, 3}));
            cur = node(g, "Relu", List.of(cur), i == 2 ? "y" : "relu" + i);
        }
        g.outputs().add(cur);
        return g;
    }

    static Tensor random(Random rnd, long... dims) {
        Tensor t = Tensor.allocate(DType.F32, Shape.of(dims));
        for (long i = 0; i < t.numel(); i++) t.setDouble(i, rnd.nextGaussian() * 0.1);
        return t;
    }

    static Value constant(Graph g, String name, Tensor t) {
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
}
