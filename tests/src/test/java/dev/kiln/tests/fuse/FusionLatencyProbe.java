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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Not a test: a latency probe for the fusion report. Loads a BERT-style model once per opt level, optimizes each
 * copy, and runs them round-robin in one JVM (so machine noise and JIT state hit every level alike) with the CPU
 * backend's kernel selector — which `kiln bench` does not use yet, since CpuBackend still answers the reference
 * kernels — or with the reference kernels. Prints min / median latency per level and the top ops by time.
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp ... dev.kiln.tests.fuse.FusionLatencyProbe MODEL LEVELS(0,1,2) [SEQ] [THREADS] [ROUNDS] [ref]
 * </pre>
 */
public final class FusionLatencyProbe {
    private FusionLatencyProbe() {}

    public static void main(String[] args) {
        Path model = Path.of(args[0]);
        int[] levels = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int seq = args.length > 2 ? Integer.parseInt(args[2]) : 128, threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        boolean reference = args.length > 5 && args[5].equals("ref");
        OpRegistry r = OpRegistry.standard();
        KernelSelector base = reference ? KernelSelector.REFERENCE : new CpuKernelSelector(threads);
        List<Interpreter> runs = new ArrayList<>();
        List<Map<String, long[]>> perOp = new ArrayList<>();
        List<LoadedModel> models = new ArrayList<>();
        for (int level : levels) {
            LoadedModel m = ModelFiles.load(model);
            models.add(m);
            Graph g = m.graph();
            ModelAnalysis.infer(g, r);
            Optimizer.optimize(g, level, new PassContext(n -> r.lookup(n.domain(), n.opType(), g.opset(n.domain())), Set.of(), false, null));
            Map<String, long[]> ops = new TreeMap<>();
            perOp.add(ops);
            KernelSelector timed = (n, s) -> {
                Kernel sel = base.select(n, s), k = sel != null ? sel : s.kernel();
                String key = (n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType();
                return ctx -> {
                    long t0 = System.nanoTime();
                    Object[] o = k.execute(ctx);
                    long dt = System.nanoTime() - t0;
                    synchronized (ops) { long[] x = ops.computeIfAbsent(key, z -> new long[2]); x[0] += dt; x[1]++; }
                    return o;
                };
            };
            runs.add(new Interpreter(g, r, timed));
            System.out.printf("O%d: %d nodes%n", level, g.nodes().size());
        }
        long[] ids = new long[seq], mask = new long[seq], types = new long[seq];
        for (int i = 0; i < seq; i++) { ids[i] = 1 + (i * 37) % 100; mask[i] = 1; }
        Map<String, Object> feed = Map.of("input_ids", Tensor.ofLongs(ids, 1, seq),
                "attention_mask", Tensor.ofLongs(mask, 1, seq), "token_type_ids", Tensor.ofLongs(types, 1, seq));
        for (int w = 0; w < 3; w++) for (Interpreter in : runs) in.run(feed);
        perOp.forEach(Map::clear);
        long[][] ns = new long[levels.length][rounds];
        for (int round = 0; round < rounds; round++)
            for (int l = 0; l < levels.length; l++) {
                long t0 = System.nanoTime();
                runs.get(l).run(feed);
                ns[l][round] = System.nanoTime() - t0;
            }
        for (int l = 0; l < levels.length; l++) {
            long[] s = ns[l].clone();
            Arrays.sort(s);
            System.out.printf("O%d %s, %d threads, batch 1, seq %d, %d rounds: latency ms min %.1f median %.1f%n", levels[l],
                    reference ? "reference kernels" : "CpuKernelSelector", threads, seq, rounds, s[0] / 1e6, s[rounds / 2] / 1e6);
            perOp.get(l).entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(6)
                    .forEach(e -> System.out.printf("    %-26s %8.1f ms/run (%d nodes)%n", e.getKey(), e.getValue()[0] / 1e6 / rounds, e.getValue()[1] / rounds));
        }
        models.forEach(LoadedModel::close);
        System.exit(0);
    }
}
