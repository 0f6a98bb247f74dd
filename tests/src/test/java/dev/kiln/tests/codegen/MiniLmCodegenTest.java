package dev.kiln.tests.codegen;

import dev.kiln.codegen.jvm.GeneratedKernels;
import dev.kiln.codegen.opt.Optimizer;
import dev.kiln.codegen.plan.MemoryPlan;
import dev.kiln.codegen.plan.MemoryPlanner;
import dev.kiln.formats.npy.Npy;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.ModelAnalysis;
import dev.kiln.runtime.ModelFiles;
import dev.kiln.runtime.embed.ModelStore;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * all-MiniLM-L6-v2 through the codegen pieces: the memory plan at every opt level and two sequence lengths has
 * no overlapping live values; at O2 the elementwise fusion fires and the generated kernels agree with the fused
 * graph's reference kernels.
 */
class MiniLmCodegenTest {
    static ModelStore.MiniLm model;
    static final String[] INPUTS = {"input_ids", "attention_mask", "token_type_ids"};

    @BeforeAll
    static void resolve() throws Exception {
        try {
            model = ModelStore.miniLm(System.err);
        } catch (ModelStore.UnavailableException e) {
            Assumptions.abort("all-MiniLM-L6-v2 cannot be resolved: " + e.getMessage());
        }
    }

    /** Loads, fixes the input shapes to [1, seq], infers types and optimizes at {@code level}. */
    static Graph prepare(LoadedModel m, int seq, int level) {
        Graph g = m.graph();
        for (Value v : g.inputs())
            if (List.of(INPUTS).contains(v.name()) && v.type() instanceof TensorType t)
                v.setType(new TensorType(t.dtype(), List.of(Dim.of(1), Dim.of(seq))));
        OpRegistry reg = OpRegistry.standard();
        ModelAnalysis.infer(g, reg);
        Optimizer.optimize(g, level, new PassContext(n -> reg.lookup(n.domain(), n.opType(), g.opset(n.domain())), java.util.Set.of(), true, null));
        return g;
    }

    @ParameterizedTest(name = "seq {0} at O{1}")
    @CsvSource({"16,0", "16,2", "128,0", "128,1", "128,2", "128,3"})
    void planHasNoOverlapsAndBeatsNaive(int seq, int level) {
        try (LoadedModel m = ModelFiles.load(model.model())) {
            Graph g = prepare(m, seq, level);
            MemoryPlan p = MemoryPlanner.plan(g);
            assertEquals(List.of(), p.conflicts());
            assertTrue(p.peakBytes() < p.naiveBytes());
            // the attention scores [1,12,seq,seq] f32 must fit: a plan smaller than one value is wrong
            assertTrue(p.peakBytes() >= 12L * seq * seq * 4, "peak " + p.peakBytes());
            System.err.printf("MiniLM seq %d O%d: planned peak %,d B vs naive %,d B (%.1fx), %d values%n",
                    seq, level, p.peakBytes(), p.naiveBytes(), (double) p.naiveBytes() / p.peakBytes(), p.slots().size());
        }
    }

    @Test
    void generatedKernelsMatchFusedReferenceOnMiniLm() throws Exception {
        Path ref = Path.of(System.getProperty("kiln.shared", "../shared"), "reference");
        Assumptions.assumeTrue(Files.isDirectory(ref), "reference inputs not found at " + ref);
        try (LoadedModel m = ModelFiles.load(model.model())) {
            Graph g = prepare(m, 16, 2);
            long fused = g.nodes().stream().filter(n -> n.opType().equals("FusedElementwise")).count();
            assertTrue(fused > 0, "O2 fused no elementwise group in MiniLM");
            Map<String, Tensor> in = Map.of(
                    "input_ids", Npy.read(ref.resolve("minilm_b1_s16.input_ids.npy")),
                    "attention_mask", Npy.read(ref.resolve("minilm_b1_s16.attention_mask.npy")),
                    "token_type_ids", Npy.read(ref.resolve("minilm_b1_s16.token_type_ids.npy")));
            OpRegistry reg = OpRegistry.standard();
            Tensor want = (Tensor) new Interpreter(g, reg).run(in).get("last_hidden_state");
            Tensor got = (Tensor) new Interpreter(g, reg, GeneratedKernels.INSTANCE).run(in).get("last_hidden_state");
            double max = 0;
            for (long i = 0; i < want.numel(); i++) max = Math.max(max, Math.abs(want.getDouble(i) - got.getDouble(i)));
            assertTrue(max <= 1e-5, "generated vs reference max abs diff " + max);
            for (Node n : g.nodes()) assertNotEquals("Erf", n.opType(), "Erf should have been fused at O2");
        }
    }
}
