package dev.kiln.runtime;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.runtime.backend.Backends;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions over real ONNX files (the shared backend node tests), and backend discovery. */
class OnnxSessionTest {
    static Path node(String test) {
        String shared = System.getProperty("kiln.shared");
        Path p = shared == null ? null : Path.of(shared, "onnx-backend", "node", test);
        Assumptions.assumeTrue(p != null && Files.isDirectory(p), "shared ONNX node tests not available");
        return p;
    }

    @Test void loadsFromPathAndBytesAndRuns() throws Exception {
        Path dir = node("test_add");
        Tensor x = (Tensor) ModelFiles.readValue(dir.resolve("test_data_set_0/input_0.pb"), null);
        Tensor y = (Tensor) ModelFiles.readValue(dir.resolve("test_data_set_0/input_1.pb"), null);
        Tensor want = (Tensor) ModelFiles.readValue(dir.resolve("test_data_set_0/output_0.pb"), null);
        byte[] bytes = Files.readAllBytes(dir.resolve("model.onnx"));
        for (Session s : List.of(Session.load(dir.resolve("model.onnx")), Session.load(bytes, SessionOptions.defaults()))) {
            try (s) {
                assertEquals("sum: float32[3,4,5]", s.outputs().get(0).toString());
                Tensor got = s.run(Map.of("x", x, "y", y)).get("sum");
                assertArrayEquals(want.toFloatArray(), got.toFloatArray());
            }
        }
    }

    @Test void outputsThatAreWeightsSurviveClose() {
        Arena arena = Arena.ofShared();
        Tensor w = Tensor.allocate(DType.F32, Shape.of(2), arena);
        w.setDouble(0, 4);
        w.setDouble(1, 5);
        Graph g = TestModels.binary("Add");
        Value wv = new Value("w", null);
        wv.setConstant(w);
        g.initializers().add(wv);
        g.outputs().add(wv);
        Map<String, Object> out;
        try (Session s = Session.open(new LoadedModel(g, 8, "test", arena::close, arena.scope()), SessionOptions.defaults(), TestModels.registry())) {
            Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 3);
            out = s.runValues(Map.of("x", x, "y", x));
        }
        assertTrue(!arena.scope().isAlive(), "closing the session releases the model");
        assertArrayEquals(new float[] {4, 5}, ((Tensor) out.get("w")).toFloatArray());
    }

    /**
     * Several threads share one session of the default (cpu) backend on ops its fast kernels cover; every result
     * must match the ONNX expected output, whichever kernels the backend picked.
     */
    @Test void concurrentRunsOnTheDefaultBackendMatchTheExpectedOutputs() throws Exception {
        for (String test : List.of("test_matmul_2d", "test_gemm_all_attributes", "test_softmax_axis_1",
                "test_layer_normalization_4d_axis1")) {
            Path dir = node(test);
            try (Session s = Session.load(dir.resolve("model.onnx"), SessionOptions.defaults().withThreads(2));
                 var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
                Map<String, Object> feed = new java.util.LinkedHashMap<>();
                for (int i = 0; i < s.inputs().size(); i++)
                    feed.put(s.inputs().get(i).name(), ModelFiles.readValue(dir.resolve("test_data_set_0/input_" + i + ".pb"), s.inputs().get(i).type()));
                Object want = ModelFiles.readValue(dir.resolve("test_data_set_0/output_0.pb"), s.outputs().get(0).type());
                List<java.util.concurrent.Future<String>> diffs = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    diffs.add(pool.submit(() -> {
                        for (int rep = 0; rep < 25; rep++) {
                            String d = dev.kiln.runtime.conformance.ValueComparator.compare(want,
                                    s.runValues(feed).get(s.outputs().get(0).name()));
                            if (d != null) return d;
                        }
                        return null;
                    }));
                }
                for (var f : diffs) assertEquals(null, f.get(), test + " on backend " + s.backend());
            }
        }
    }

    @Test void builtInBackendsAreAlwaysThereAndUnknownOnesFallBack() {
        assertTrue(Backends.all().keySet().containsAll(List.of("cpu", "reference")));
        List<String> notices = new ArrayList<>();
        assertEquals("cpu", Backends.resolve("cuda-does-not-exist", notices::add).name());
        assertEquals(1, notices.size());
        assertTrue(notices.get(0).contains("cuda-does-not-exist") && notices.get(0).contains("using cpu"), notices.get(0));
        assertEquals("reference", Backends.resolve("reference", notices::add).name());
        assertEquals(1, notices.size(), "no notice for an available backend");
    }
}
