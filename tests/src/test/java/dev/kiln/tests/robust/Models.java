package dev.kiln.tests.robust;

import dev.kiln.formats.onnx.OnnxModel;
import dev.kiln.formats.onnx.OnnxValues;
import dev.kiln.runtime.IoInfo;
import dev.kiln.runtime.Session;
import dev.kiln.runtime.SessionOptions;
import dev.kiln.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Shared helpers for the robustness tests: ONNX backend node models, their data sets, sessions, comparisons. */
final class Models {
    private Models() {}

    static Path shared() {
        return Path.of(System.getProperty("kiln.shared", "/work/shared"));
    }

    static Path node(String test) {
        return shared().resolve("onnx-backend/node").resolve(test);
    }

    static Path miniLm() {
        return Path.of(System.getProperty("user.home"), ".cache/kiln/models/all-minilm-l6-v2/all-minilm-l6-v2.onnx");
    }

    static boolean haveMiniLm() { return Files.isRegularFile(miniLm()); }

    static final SessionOptions REF = SessionOptions.defaults().withBackend("reference").withOptLevel(0);

    static SessionOptions cpu(int opt) { return SessionOptions.defaults().withBackend("cpu").withOptLevel(opt); }

    /** Sessions are cached per (model, options): loading dominates a property's cost otherwise. */
    private static final Map<String, Session> SESSIONS = new ConcurrentHashMap<>();

    static Session session(String test, SessionOptions o) {
        return SESSIONS.computeIfAbsent(test + "|" + o, k -> Session.load(node(test).resolve("model.onnx"), o));
    }

    /** The test's data set 0 inputs, by input name. */
    static Map<String, Tensor> inputs(String test) {
        try (OnnxModel m = OnnxModel.load(node(test).resolve("model.onnx"))) {
            OnnxValues.DataSet ds = OnnxValues.readDataSet(m.graph(), node(test).resolve("test_data_set_0"));
            Map<String, Tensor> in = new LinkedHashMap<>();
            List<IoInfo> names = session(test, REF).inputs();
            for (int i = 0; i < ds.inputs().size(); i++) in.put(names.get(i).name(), ((Tensor) ds.inputs().get(i)).copy());
            return in;
        }
    }

    /** Same dtype and shape; values within rtol/atol (NaNs must match). */
    static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        if (!expected.dtype().isFloatingPoint()) {
            assertArrayEquals(expected.toLongArray(), actual.toLongArray(), what);
            return;
        }
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            if (e[i] == a[i] || (Double.isNaN(e[i]) && Double.isNaN(a[i]))) continue;   // also equal infinities
            if (!(Math.abs(e[i] - a[i]) <= atol + rtol * Math.abs(e[i])))
                fail(what + ": element " + i + " expected " + e[i] + " but was " + a[i]);
        }
    }

    static void assertAllClose(String what, Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": output names");
        for (String k : expected.keySet()) assertClose(what + " output '" + k + "'", expected.get(k), actual.get(k), 1e-4, 1e-5);
    }
}
