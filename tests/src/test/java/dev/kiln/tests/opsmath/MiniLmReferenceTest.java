package dev.kiln.tests.opsmath;

import dev.kiln.formats.npy.Npy;
import dev.kiln.formats.onnx.OnnxModel;
import dev.kiln.graph.Node;
import dev.kiln.ops.Kernel;
import dev.kiln.ops.KernelSelector;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * all-MiniLM-L6-v2 through the pure reference interpreter (every kernel scalar) must match ONNX Runtime's
 * last_hidden_state within 1e-4 (the reference README's fp32 advice). Also prints the time per op type, which is
 * how the reference kernels are kept from becoming absurdly slow. Skipped when the model is not cached locally.
 */
class MiniLmReferenceTest {
    @Test
    void referenceInterpreterMatchesOnnxRuntime() {
        Path model = dev.kiln.runtime.embed.ModelStore.cacheRoot().resolve("models/all-minilm-l6-v2/all-minilm-l6-v2.onnx");
        Path ref = Path.of(System.getProperty("kiln.shared", "/work/shared"), "reference");
        Assumptions.assumeTrue(Files.exists(model) && Files.isDirectory(ref), "MiniLM model or reference outputs not available");
        for (String c : new String[] {"minilm_b1_s16"}) {
            try (OnnxModel m = OnnxModel.load(model)) {
                Map<String, long[]> nanos = new TreeMap<>();
                KernelSelector timing = (Node n, OpSchema s) -> {
                    Kernel k = s.kernel();
                    return ctx -> {
                        long t0 = System.nanoTime();
                        Object[] r = k.execute(ctx);
                        long[] a = nanos.computeIfAbsent(n.opType(), x -> new long[2]);
                        synchronized (a) { a[0] += System.nanoTime() - t0; a[1]++; }
                        return r;
                    };
                };
                Interpreter in = new Interpreter(m.graph(), OpRegistry.standard(), timing);
                Map<String, Object> feed = Map.of(
                        "input_ids", Npy.read(ref.resolve(c + ".input_ids.npy")),
                        "attention_mask", Npy.read(ref.resolve(c + ".attention_mask.npy")),
                        "token_type_ids", Npy.read(ref.resolve(c + ".token_type_ids.npy")));
                long t0 = System.nanoTime();
                Tensor out = (Tensor) in.run(feed).values().iterator().next();
                long t1 = System.nanoTime();
                Tensor want = Npy.read(ref.resolve(c + ".last_hidden_state.npy"));
                double maxd = 0;
                for (long i = 0; i < want.numel(); i++) maxd = Math.max(maxd, Math.abs(out.getDouble(i) - want.getDouble(i)));
                System.out.printf("%s: %.1f ms, max abs diff %.3g%n", c, (t1 - t0) / 1e6, maxd);
                nanos.forEach((k, v) -> System.out.printf("  %-20s %8.1f ms  x%d%n", k, v[0] / 1e6, v[1]));
                assertEquals(want.shape(), out.shape());
                assertTrue(maxd <= 1e-4, c + ": max abs difference " + maxd + " exceeds 1e-4");
            }
        }
    }
}
