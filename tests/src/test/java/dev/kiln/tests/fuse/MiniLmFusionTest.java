package dev.kiln.tests.fuse;

import dev.kiln.codegen.opt.Pipelines;
import dev.kiln.codegen.opt.fuse.FusionPass;
import dev.kiln.codegen.opt.fuse.Fusions;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.pass.PassPipeline;
import dev.kiln.graph.pass.Pass;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.ModelAnalysis;
import dev.kiln.runtime.ModelFiles;
import dev.kiln.runtime.cpu.CpuKernelSelector;
import dev.kiln.runtime.embed.ModelStore;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The O2 fusions on all-MiniLM-L6-v2: which rules fire how often (printed, and pinned: 6 layers give 6
 * attentions, 6 GELUs folded into their MatMul epilogues, 36 biased MatMuls, 13 layer norms all with a residual
 * add), and that the fused graph computes what the unfused one does — reference interpreter on the imported
 * graph vs the fused graph on both the reference kernels and the CPU backend's fast kernels.
 */
class MiniLmFusionTest {
    static Path modelPath;

    @BeforeAll
    static void resolve() throws Exception {
        try {
            modelPath = ModelStore.miniLm(System.err).model();
        } catch (ModelStore.UnavailableException e) {
            Assumptions.abort("all-MiniLM-L6-v2 cannot be resolved: " + e.getMessage());
        }
    }

    static Graph load(LoadedModel m) {
        ModelAnalysis.infer(m.graph(), OpRegistry.standard());
        return m.graph();
    }

    static PassContext ctx(Graph g) {
        OpRegistry r = OpRegistry.standard();
        return new PassContext(n -> r.lookup(n.domain(), n.opType(), g.opset(n.domain())), java.util.Set.of(), true, null);
    }

    static Map<String, Integer> histogram(Graph g) {
        Map<String, Integer> h = new TreeMap<>();
        for (Node n : g.nodes()) h.merge((n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType(), 1, Integer::sum);
        return h;
    }

    @Test
    void fusionsFireAsExpectedAndKeepResults() {
        try (LoadedModel plain = ModelFiles.load(modelPath); LoadedModel fusedModel = ModelFiles.load(modelPath)) {
            Graph before = load(plain), g = load(fusedModel);
            Map<String, Integer> h0 = histogram(g);
            new PassPipeline("O1", new ArrayList<>(Pipelines.forLevel(1).passes())).run(g, ctx(g));
            List<FusionPass> fusions = Fusions.all();
            List<Pass> passes = new ArrayList<>(fusions);
            passes.add(new dev.kiln.codegen.opt.DeadCodeElimination());
            new PassPipeline("fuse", passes).run(g, ctx(g));
            Map<String, Integer> h2 = histogram(g);
            Map<String, Integer> counts = new TreeMap<>();
            for (FusionPass f : fusions) f.counts().forEach((k, v) -> counts.put(f.name() + "/" + k, v));
            System.out.println("MiniLM op histogram before: " + h0 + " (" + before.nodes().size() + " nodes)");
            System.out.println("MiniLM op histogram after O2 fusions: " + h2 + " (" + g.nodes().size() + " nodes)");
            System.out.println("MiniLM fusion counts: " + counts);
            assertEquals(6, h2.getOrDefault("dev.kiln.Attention", 0), h2::toString);
            assertEquals(13, h2.getOrDefault("dev.kiln.SkipLayerNorm", 0), h2::toString);
            assertEquals(36, h2.getOrDefault("dev.kiln.FusedMatMul", 0), h2::toString);
            assertEquals(6, counts.getOrDefault("fuse-gelu/gelu-erf(div)#1", 0), counts::toString);
            assertEquals(6, counts.getOrDefault("fuse-matmul-bias/fusedmatmul+gelu", 0), counts::toString);
            for (String gone : List.of("Erf", "Softmax", "Pow", "Sqrt", "ReduceMean", "Div"))
                assertFalse(h2.containsKey(gone), gone + " should be fused away: " + h2);
            assertEquals(1, g.opsetImports().get("dev.kiln"));

            Map<String, Object> inputs = inputs(2, 7);
            Tensor want = (Tensor) new Interpreter(before, OpRegistry.standard()).run(inputs).get("last_hidden_state");
            Tensor ref = (Tensor) new Interpreter(g, OpRegistry.standard()).run(inputs).get("last_hidden_state");
            Tensor fast = (Tensor) new Interpreter(g, OpRegistry.standard(), new CpuKernelSelector(2)).run(inputs).get("last_hidden_state");
            assertEquals(want.shape(), ref.shape());
            assertTrue(maxDiff(want, ref) <= 1e-4, "fused reference kernels differ by " + maxDiff(want, ref));
            assertTrue(maxDiff(want, fast) <= 1e-4, "fused fast kernels differ by " + maxDiff(want, fast));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Token ids with a padded tail in the second row, so the attention mask matters. */
    static Map<String, Object> inputs(int batch, int seq) {
        long[] ids = new long[batch * seq], mask = new long[batch * seq], types = new long[batch * seq];
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1000 + rnd.nextInt(20000);
            mask[i] = (i / seq == 1 && i % seq >= seq - 2) ? 0 : 1;
        }
        Map<String, Object> in = new HashMap<>();
        in.put("input_ids", Tensor.ofLongs(ids, batch, seq));
        in.put("attention_mask", Tensor.ofLongs(mask, batch, seq));
        in.put("token_type_ids", Tensor.ofLongs(types, batch, seq));
        return in;
    }

    static double maxDiff(Tensor a, Tensor b) {
        assertEquals(a.shape(), b.shape());
        double m = 0;
        for (long i = 0; i < a.numel(); i++) m = Math.max(m, Math.abs(a.getDouble(i) - b.getDouble(i)));
        return m;
    }

}
