package dev.kiln.ops.nn;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the single-node ONNX backend tests of the attention, image and signal ops through the reference
 * interpreter (rtol 1e-3, atol 1e-7, exact dtype and shape). Skipped when the shared suite is not present.
 * Expanded variants need other families' ops and are run from the tests module instead.
 */
class AttnBackendSuiteTest {
    static final Set<String> OPS = Set.of("Attention", "RotaryEmbedding", "SwiGLU", "LinearAttention", "FlexAttention",
            "CausalConvWithState", "Resize", "Upsample", "GridSample", "AffineGrid", "RoiAlign", "NonMaxSuppression",
            "DFT", "STFT", "HannWindow", "HammingWindow", "BlackmanWindow", "MelWeightMatrix");

    static Path suite() {
        String shared = System.getProperty("kiln.shared", "/work/shared");
        return Path.of(shared, "onnx-backend", "node");
    }

    /** One line per run test (op, name, PASS/FAIL, reason), written to target/attn-suite.tsv for the report. */
    static final List<String> RESULTS = java.util.Collections.synchronizedList(new ArrayList<>());

    @org.junit.jupiter.api.AfterAll
    static void writeSummary() throws IOException {
        Files.write(Path.of("target", "attn-suite.tsv"), RESULTS);
    }

    @TestFactory
    List<DynamicTest> backendNodeTests() throws IOException {
        Path manifest = suite().resolveSibling("MANIFEST.tsv");
        Assumptions.assumeTrue(Files.exists(manifest), "ONNX backend suite not present");
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : Files.readAllLines(manifest)) {
            String[] f = line.split("\t");
            if (f.length < 10 || f[0].equals("test_name") || !OPS.contains(f[1])) continue;
            if (f[0].contains("_expanded")) continue;
            String name = f[0];
            String op = f[1];
            tests.add(DynamicTest.dynamicTest(op + ": " + name, () -> {
                try {
                    runOne(suite().resolve(name));
                    RESULTS.add(op + "\t" + name + "\tPASS\t");
                } catch (Throwable t) {
                    String msg = String.valueOf(t.getMessage()).replace('\n', ' ').replace('\t', ' ');
                    RESULTS.add(op + "\t" + name + "\tFAIL\t" + t.getClass().getSimpleName() + ": " + msg.substring(0, Math.min(400, msg.length())));
                    throw t;
                }
            }));
        }
        return tests;
    }

    static void runOne(Path dir) throws IOException {
        Graph g = AttnSuiteLoader.load(dir.resolve("model.onnx"));
        Path data = dir.resolve("test_data_set_0");
        Map<String, Object> feeds = new LinkedHashMap<>();
        int i = 0;
        for (Value v : g.inputs()) {
            if (v.constant() != null) continue;
            Path p = data.resolve("input_" + i++ + ".pb");
            feeds.put(v.name(), AttnSuiteLoader.tensor(Files.readAllBytes(p)));
        }
        Map<String, Object> out = new Interpreter(g, OpRegistry.standard()).run(feeds);
        int j = 0;
        for (Value v : g.outputs()) {
            Tensor expected = AttnSuiteLoader.tensor(Files.readAllBytes(data.resolve("output_" + j++ + ".pb")));
            Object got = out.get(v.name());
            if (!(got instanceof Tensor actual)) { fail("output " + v.name() + " missing"); return; }
            assertClose(v.name(), expected, actual);
        }
    }

    static void assertClose(String name, Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), name + " dtype");
        assertEquals(expected.shape(), actual.shape(), name + " shape");
        long n = expected.numel();
        for (long k = 0; k < n; k++) {
            if (expected.dtype().isFloatingPoint()) {
                double e = expected.getDouble(k), a = actual.getDouble(k);
                if (Double.isNaN(e) && Double.isNaN(a)) continue;
                if (e == a) continue;
                if (!(Math.abs(a - e) <= 1e-7 + 1e-3 * Math.abs(e)))
                    fail(name + "[" + k + "]: expected " + e + " got " + a + " (" + actual + ")");
            } else if (expected.dtype() == dev.kiln.tensor.DType.STRING) {
                assertEquals(expected.getString(k), actual.getString(k), name + "[" + k + "]");
            } else {
                if (expected.getLong(k) != actual.getLong(k))
                    fail(name + "[" + k + "]: expected " + expected.getLong(k) + " got " + actual.getLong(k) + " (" + actual + ")");
            }
        }
    }
}
