package dev.kiln.tests.opsmath;

import dev.kiln.formats.onnx.OnnxModel;
import dev.kiln.formats.onnx.OnnxValues;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one ONNX backend node test (model.onnx + test_data_set_0) on the reference interpreter and compares every
 * output with the README's rule: exact dtype and shape, |got - want| <= atol + rtol * |want| (rtol 1e-3, atol 1e-7),
 * NaN matches NaN, integers/bools/strings exactly. Returns null on success, else a one-line reason.
 */
final class BackendCase {
    static final double RTOL = 1e-3, ATOL = 1e-7;

    private BackendCase() {}

    static String run(Path dir) {
        try (OnnxModel model = OnnxModel.load(dir.resolve("model.onnx"))) {
            Graph g = model.graph();
            String inference = InferenceCheck.check(g);
            if (inference != null) return "type inference: " + inference;
            Path data = dir.resolve("test_data_set_0");
            Map<String, Object> inputs = new LinkedHashMap<>();
            int k = 0;
            for (Value v : g.inputs()) {
                if (v.constant() != null) continue;
                Path f = data.resolve("input_" + k++ + ".pb");
                if (Files.exists(f)) inputs.put(v.name(), OnnxValues.read(f, v.type()));
            }
            Map<String, Object> got = new Interpreter(g, OpRegistry.standard()).run(inputs);
            List<Object> outs = new ArrayList<>(got.values());
            for (int j = 0; j < g.outputs().size(); j++) {
                Path f = data.resolve("output_" + j + ".pb");
                Object want = OnnxValues.read(f, g.outputs().get(j).type());
                String why = compare(want, outs.get(j));
                if (why != null) return "output " + j + ": " + why;
            }
            return null;
        } catch (Throwable e) {
            String m = e.getClass().getSimpleName() + ": " + e.getMessage();
            return m.length() > 300 ? m.substring(0, 300) : m;
        }
    }

    static String compare(Object want, Object got) {
        if (want instanceof TensorSequence ws) {
            if (!(got instanceof TensorSequence gs)) return "expected a sequence, got " + describe(got);
            if (ws.size() != gs.size()) return "sequence length " + gs.size() + " != " + ws.size();
            for (int i = 0; i < ws.size(); i++) {
                String w = compare(ws.get(i), gs.get(i));
                if (w != null) return "element " + i + ": " + w;
            }
            return null;
        }
        if (!(want instanceof Tensor w)) return want == null ? (got == null ? null : "expected none") : null;
        if (!(got instanceof Tensor t)) return "expected a tensor, got " + describe(got);
        if (w.dtype() != t.dtype()) return "dtype " + t.dtype() + " != " + w.dtype();
        if (!w.shape().equals(t.shape())) return "shape " + t.shape() + " != " + w.shape();
        long n = w.numel();
        for (long i = 0; i < n; i++) {
            if (w.dtype() == DType.STRING) {
                if (!w.getString(i).equals(t.getString(i))) return "at " + i + ": \"" + t.getString(i) + "\" != \"" + w.getString(i) + "\"";
            } else if (w.dtype().isFloatingPoint()) {
                double a = t.getDouble(i), b = w.getDouble(i);
                if (Double.isNaN(b) ? !Double.isNaN(a) : !(Math.abs(a - b) <= ATOL + RTOL * Math.abs(b)) && a != b)
                    return "at " + i + ": " + a + " != " + b;
            } else if (t.getLong(i) != w.getLong(i)) {
                return "at " + i + ": " + t.getLong(i) + " != " + w.getLong(i);
            }
        }
        return null;
    }

    private static String describe(Object o) { return o == null ? "null" : o.getClass().getSimpleName(); }
}
