package dev.kiln.tests.fuse;

import dev.kiln.codegen.opt.Optimizer;
import dev.kiln.graph.Graph;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.ops.Kernel;
import dev.kiln.ops.KernelSelector;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.ModelAnalysis;
import dev.kiln.runtime.ModelFiles;
import dev.kiln.runtime.cpu.CpuKernelSelector;
import dev.kiln.tensor.Tensor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Not a test: a latency probe for the fusion report. Loads a BERT-style model, optimizes it at the given level and
 * runs it with the CPU backend's kernel selector (which `kiln bench` does not use yet: CpuBackend still answers
 * the reference kernels), printing median latency and time per op type.
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp ... dev.kiln.tests.fuse.FusionLatencyProbe MODEL LEVEL [SEQ] [THREADS] [ITERS] [ref]
 * </pre>
 */
public final class FusionLatencyProbe {
    private FusionLatencyProbe() {}

    public static void main(String[] args) {
        Path model = Path.of(args[0]);
        int level = Integer.parseInt(args[1]);
        int seq = args.length > 2 ? Integer.parseInt(args[2]) : 128, threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int iters = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        boolean reference = args.length > 5 && args[5].equals("ref");
        try (LoadedModel m = ModelFiles.load(model)) {
            Graph g = m.graph();
            OpRegistry r = OpRegistry.standard();
            ModelAnalysis.infer(g, r);
            Optimizer.optimize(g, level, new PassContext(n -> r.lookup(n.domain(), n.opType(), g.opset(n.domain())), Set.of(), false, null));
            KernelSelector base = reference ? KernelSelector.REFERENCE : new CpuKernelSelector(threads);
            Map<String, long[]> perOp = new TreeMap<>();
            KernelSelector timed = (n, s) -> {
                Kernel k = base.select(n, s);
                String key = (n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType();
                return ctx -> {
                    long t0 = System.nanoTime();
                    Object[] o = k.execute(ctx);
                    long dt = System.nanoTime() - t0;
                    synchronized (perOp) { long[] x = perOp.computeIfAbsent(key, z -> new long[2]); x[0] += dt; x[1]++; }
                    return o;
                };
            };
            Interpreter in = new Interpreter(g, r, timed);
            long[] ids = new long[seq], mask = new long[seq], types = new long[seq];
            for (int i = 0; i < seq; i++) { ids[i] = 1 + (i * 37) % 100; mask[i] = 1; }
            Map<String, Object> feed = Map.of("input_ids", Tensor.ofLongs(ids, 1, seq),
                    "attention_mask", Tensor.ofLongs(mask, 1, seq), "token_type_ids", Tensor.ofLongs(types, 1, seq));
            for (int i = 0; i < 3; i++) in.run(feed);
            perOp.clear();
            long[] ns = new long[iters];
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                in.run(feed);
                ns[i] = System.nanoTime() - t0;
            }
            Arrays.sort(ns);
            System.out.printf("O%d %s, %d threads, seq %d: %d nodes, latency ms min %.1f median %.1f max %.1f%n", level,
                    reference ? "reference kernels" : "CpuKernelSelector", threads, seq, g.nodes().size(),
                    ns[0] / 1e6, ns[iters / 2] / 1e6, ns[iters - 1] / 1e6);
            perOp.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(8)
                    .forEach(e -> System.out.printf("    %-26s %8.1f ms/run (%d nodes)%n", e.getKey(), e.getValue()[0] / 1e6 / iters, e.getValue()[1] / iters));
        }
        System.exit(0);
    }
}
