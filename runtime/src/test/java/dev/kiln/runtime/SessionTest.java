package dev.kiln.runtime;

import dev.kiln.graph.InvalidInputException;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.ops.OpRegistry;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionTest {
    private static final OpRegistry REG = TestModels.registry();
    private static final SessionOptions REF = SessionOptions.defaults().withBackend("reference");

    private static Session addSession() { return Session.of(TestModels.binary("Add"), REF, REG); }

    private static Tensor f(float[] v, long... dims) { return Tensor.of(v, dims); }

    @Test void describesInputsAndInferredOutputs() {
        try (Session s = addSession()) {
            assertEquals(List.of("x", "y"), s.inputs().stream().map(IoInfo::name).toList());
            assertEquals("float32[N,3]", s.inputs().get(0).type().toString());
            assertEquals("float32[N,3]", s.outputs().get(0).type().toString(), "output type comes from inference");
            assertEquals("reference", s.backend());
        }
    }

    @Test void runsAndReturnsOutputsByName() {
        try (Session s = addSession()) {
            Map<String, Tensor> out = s.run(Map.of("x", f(new float[] {1, 2, 3}, 1, 3), "y", f(new float[] {10, 20, 30}, 1, 3)));
            assertArrayEquals(new float[] {11, 22, 33}, out.get("z").toFloatArray());
        }
    }

    @Test void missingInputIsNamed() {
        try (Session s = addSession()) {
            var e = assertThrows(InvalidInputException.class, () -> s.run(Map.of("x", f(new float[] {1, 2, 3}, 1, 3))));
            assertTrue(e.getMessage().contains("missing input 'y'"), e.getMessage());
        }
    }

    @Test void unknownInputIsNamed() {
        try (Session s = addSession()) {
            Map<String, Tensor> in = new HashMap<>();
            in.put("x", f(new float[] {1, 2, 3}, 1, 3));
            in.put("y", f(new float[] {1, 2, 3}, 1, 3));
            in.put("w", f(new float[] {1}, 1));
            var e = assertThrows(InvalidInputException.class, () -> s.run(in));
            assertTrue(e.getMessage().contains("unknown input 'w'") && e.getMessage().contains("x: float32[N,3]"), e.getMessage());
        }
    }

    @Test void wrongDtypeNamesExpectedAndActual() {
        try (Session s = addSession()) {
            var e = assertThrows(InvalidInputException.class, () -> s.run(Map.of(
                    "x", f(new float[] {1, 2, 3}, 1, 3), "y", Tensor.ofLongs(new long[] {1, 2, 3}, 1, 3))));
            assertTrue(e.getMessage().contains("input 'y'") && e.getMessage().contains("float32")
                    && e.getMessage().contains("int64"), e.getMessage());
        }
    }

    @Test void wrongRankAndKnownDimAreRejected() {
        try (Session s = addSession()) {
            var rank = assertThrows(InvalidInputException.class, () -> s.run(Map.of(
                    "x", f(new float[] {1, 2, 3}, 3), "y", f(new float[] {1, 2, 3}, 1, 3))));
            assertTrue(rank.getMessage().contains("input 'x'") && rank.getMessage().contains("rank 2"), rank.getMessage());
            var dim = assertThrows(InvalidInputException.class, () -> s.run(Map.of(
                    "x", f(new float[] {1, 2, 3, 4}, 1, 4), "y", f(new float[] {1, 2, 3}, 1, 3))));
            assertTrue(dim.getMessage().contains("axis 1 must be 3"), dim.getMessage());
        }
    }

    @Test void symbolicDimsMustAgreeAcrossInputs() {
        try (Session s = addSession()) {
            var e = assertThrows(InvalidInputException.class, () -> s.run(Map.of(
                    "x", f(new float[6], 2, 3), "y", f(new float[12], 4, 3))));
            assertTrue(e.getMessage().contains("'N'") && e.getMessage().contains("2") && e.getMessage().contains("4"), e.getMessage());
        }
    }

    @Test void unsupportedOpsAreReportedAtLoad() {
        var e = assertThrows(UnsupportedOperatorException.class, () -> Session.of(TestModels.unary("Nope"), REF, REG));
        assertTrue(e.getMessage().contains("test.Nope"), e.getMessage());
    }

    @Test void runAfterCloseFails() {
        Session s = addSession();
        s.close();
        assertThrows(IllegalStateException.class, () -> s.run(Map.of()));
    }

    @Test void unavailableBackendFallsBackToCpu() {
        try (Session s = Session.of(TestModels.binary("Add"), SessionOptions.defaults().withBackend("warp-drive"), REG)) {
            assertEquals("cpu", s.backend());
        }
    }

    @Test void verifyModeRunsAgainstReference() {
        SessionOptions o = SessionOptions.defaults().withVerify(true);
        try (Session s = Session.of(TestModels.binary("Add"), o, REG)) {
            Map<String, Tensor> out = s.run(Map.of("x", f(new float[] {1, 2, 3}, 1, 3), "y", f(new float[] {1, 1, 1}, 1, 3)));
            assertArrayEquals(new float[] {2, 3, 4}, out.get("z").toFloatArray());
        }
    }

    @Test void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> SessionOptions.defaults().withOptLevel(4));
        assertThrows(IllegalArgumentException.class, () -> SessionOptions.defaults().withThreads(0));
        assertThrows(IllegalArgumentException.class, () -> SessionOptions.defaults().withBackend(" "));
    }

    @Test void concurrentRunsOnOneSessionGiveEachCallerItsOwnResult() throws Exception {
        try (Session s = addSession(); ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final int seed = t;
                Callable<Boolean> job = () -> {
                    for (int rep = 0; rep < 200; rep++) {
                        int n = 1 + (seed + rep) % 5;
                        float[] x = new float[n * 3], y = new float[n * 3], want = new float[n * 3];
                        for (int i = 0; i < x.length; i++) { x[i] = seed * 1000 + rep + i; y[i] = i * 0.5f; want[i] = x[i] + y[i]; }
                        float[] got = s.run(Map.of("x", f(x, n, 3), "y", f(y, n, 3))).get("z").toFloatArray();
                        if (!java.util.Arrays.equals(want, got)) return false;
                    }
                    return true;
                };
                futures.add(pool.submit(job));
            }
            for (Future<Boolean> fu : futures) assertTrue(fu.get(), "a concurrent run saw another run's values");
        }
    }
}
