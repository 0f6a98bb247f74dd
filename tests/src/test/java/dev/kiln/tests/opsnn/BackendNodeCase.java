package dev.kiln.tests.opsnn;

import dev.kiln.formats.onnx.OnnxModel;
import dev.kiln.formats.onnx.OnnxValues;
import dev.kiln.graph.Value;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one ONNX backend node test through the reference interpreter and compares every output the way the ONNX
 * runner does: same dtype and shape, then |actual - expected| <= atol + rtol * |expected| (NaN matches NaN).
 * A stop-gap until the runtime's {@code kiln conformance} exists.
 */
final class BackendNodeCase {
    static final double RTOL = 1e-3, ATOL = 1e-7;

    private BackendNodeCase() {}

    /** Null when the case passes, else a one-line reason. */
    static String run(Path dir) {
        try (OnnxModel model = OnnxModel.load(dir.resolve("model.onnx"))) {
            Path data = dir.resolve("test_data_set_0");
            Map<String, Object> inputs = new LinkedHashMap<>();
            List<Value> req = model.graph().requiredInputs();
            for (int i = 0; i < req.size(); i++) {
                Path f = data.resolve("input_" + i + ".pb");
                if (Files.exists(f)) inputs.put(req.get(i).name(), OnnxValues.read(f, req.get(i).type()));
            }
            Map<String, Object> got = new Interpreter(model.graph(), OpRegistry.standard()).run(inputs);
            List<Value> outs = model.graph().outputs();
            for (int j = 0; j < outs.size(); j++) {
                Object want = OnnxValues.read(data.resolve("output_" + j + ".pb"), outs.get(j).type());
                String why = compare(got.get(outs.get(j).name()), want);
                if (why != null) return "output " + j + " (" + outs.get(j).name() + "): " + why;
            }
            return null;
        } catch (RuntimeException | Error e) {
            String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
            return msg.length() > 300 ? msg.substring(0, 300) + "…" : msg;
        }
    }

    static String compare(Object actual, Object expected) {
        if (!(expected instanceof Tensor e)) return "non-tensor expected values are not compared here";
        if (!(actual instanceof Tensor a)) return "expected a tensor, got " + (actual == null ? "nothing" : actual.getClass().getSimpleName());
        if (a.dtype() != e.dtype()) return "dtype " + a.dtype() + ", expected " + e.dtype();
        if (!a.shape().equals(e.shape())) return "shape " + a.shape() + ", expected " + e.shape();
        long n = e.numel();
        for (long i = 0; i < n; i++) {
            if (e.dtype() == DType.STRING) {
                if (!a.getString(i).equals(e.getString(i))) return "string mismatch at " + i;
            } else if (e.dtype().isFloatingPoint()) {
                double x = a.getDouble(i), y = e.getDouble(i);
                if (Double.isNaN(y) && Double.isNaN(x)) continue;
                if (!(Math.abs(x - y) <= ATOL + RTOL * Math.abs(y)) && x != y)
                    return "value " + x + " at flat index " + i + ", expected " + y;
            } else if (a.getLong(i) != e.getLong(i)) {
                return "value " + a.getLong(i) + " at flat index " + i + ", expected " + e.getLong(i);
            }
        }
        return null;
    }
}
