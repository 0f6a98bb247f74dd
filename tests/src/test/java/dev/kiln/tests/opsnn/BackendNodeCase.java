package dev.kiln.tests.opsnn;

import dev.kiln.formats.onnx.OnnxModel;
import dev.kiln.formats.onnx.OnnxValues;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.OpSchema;
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
 * Single-node cases also cross-check the op's static type inference against the produced outputs.
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
            if (model.graph().nodes().size() == 1) return checkInference(model.graph(), inputs, got);
            return null;
        } catch (RuntimeException | Error e) {
            String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
            return msg.length() > 300 ? msg.substring(0, 300) + "…" : msg;
        }
    }

    /**
     * Single-node cases also check the op's static type inference: given the actual input types (constants for
     * initializers), every dtype and dim it claims must match the produced output.
     */
    static String checkInference(Graph g, Map<String, Object> inputs, Map<String, Object> got) {
        Node node = g.nodes().get(0);
        int opset = g.opset(node.domain());
        OpSchema schema = OpRegistry.standard().lookup(node.domain(), node.opType(), opset);
        ValueType[] set = new ValueType[node.outputs().size()];
        schema.inferTypes(new InferenceContext() {
            @Override public Node node() { return node; }
            @Override public int opsetVersion() { return opset; }
            @Override public int inputCount() { return node.inputs().size(); }
            @Override public ValueType inputType(int i) {
                Value v = node.input(i);
                if (v == null || v.name().isEmpty()) return ValueType.UNKNOWN;
                Object x = inputs.containsKey(v.name()) ? inputs.get(v.name()) : v.constant();
                return x instanceof Tensor t ? ValueType.TensorType.of(t.dtype(), t.shape()) : ValueType.UNKNOWN;
            }
            // Inputs count as constants here, the strongest case inference can see (as after constant folding).
            @Override public Tensor constantInput(int i) {
                Value v = node.input(i);
                if (v == null || v.name().isEmpty()) return null;
                return inputs.get(v.name()) instanceof Tensor t ? t : v.constant();
            }
            @Override public int outputCount() { return set.length; }
            @Override public void setOutputType(int i, ValueType type) { if (i < set.length) set[i] = type; }
        });
        for (int o = 0; o < set.length; o++) {
            Value v = node.output(o);
            if (v == null || !(set[o] instanceof ValueType.TensorType t) || !(got.get(v.name()) instanceof Tensor a)) continue;
            String bad = "inference for output " + o + " says " + t + " but the kernel produced " + a.dtype() + a.shape();
            if (t.dtype() != null && t.dtype() != a.dtype()) return bad;
            if (!t.hasRank()) continue;
            if (t.rank() != a.rank()) return bad;
            for (int d = 0; d < t.rank(); d++)
                if (t.dims().get(d) instanceof Dim.Known k && k.value() != a.shape().dim(d)) return bad;
        }
        return null;
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
