package dev.kiln.tests.opsshape;

import dev.kiln.formats.onnx.OnnxModel;
import dev.kiln.formats.onnx.OnnxValues;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.infer.TypeInference;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ONNX backend node test run through the reference interpreter: load {@code model.onnx}, feed
 * {@code test_data_set_0/input_N.pb}, compare every output with {@code output_N.pb} the way the ONNX backend
 * runner does (exact dtype and shape, strings exact, numbers within rtol 1e-3 / atol 1e-7, NaN equals NaN).
 * A stop-gap until the runtime's {@code kiln conformance} exists.
 */
public final class BackendCase {
    static final double RTOL = 1e-3, ATOL = 1e-7;

    private BackendCase() {}

    /** Null when the case passes, else a one-line reason. */
    public static String run(Path dir) {
        try (OnnxModel model = OnnxModel.load(dir.resolve("model.onnx"))) {
            Graph g = model.graph();
            Path data = dir.resolve("test_data_set_0");
            Map<String, Object> inputs = new LinkedHashMap<>();
            int i = 0;
            for (Value v : g.requiredInputs()) {
                Path f = data.resolve("input_" + i++ + ".pb");
                if (Files.exists(f)) inputs.put(v.name(), OnnxValues.read(f, v.type()));
            }
            Map<String, Object> out = new Interpreter(g, OpRegistry.standard()).run(inputs);
            List<Object> actual = new ArrayList<>(out.values());
            for (int o = 0; o < g.outputs().size(); o++) {
                Value v = g.outputs().get(o);
                Object want = OnnxValues.read(data.resolve("output_" + o + ".pb"), v.type());
                String why = compare(want, actual.get(o));
                if (why != null) return "output " + o + " (" + v.name() + "): " + why;
            }
            return null;
        } catch (Throwable t) {
            String m = t.getClass().getSimpleName() + ": " + t.getMessage();
            return m.length() > 400 ? m.substring(0, 400) + "…" : m;
        }
    }

    /**
     * Checks the static type rules: forgets every node output's declared type, runs whole-graph type inference,
     * runs the model, and requires each inferred output type to agree with the value produced (dtype, rank and
     * every dim inference claims to know). Null when consistent.
     */
    public static String checkInference(Path dir) {
        try (OnnxModel model = OnnxModel.load(dir.resolve("model.onnx"))) {
            Graph g = model.graph();
            for (Node n : g.nodes()) for (Value v : n.outputs()) if (v != null) v.setType(ValueType.UNKNOWN);
            OpRegistry reg = OpRegistry.standard();
            TypeInference.run(g, (node, opset) -> reg.lookup(node.domain(), node.opType(), opset));
            Path data = dir.resolve("test_data_set_0");
            Map<String, Object> inputs = new LinkedHashMap<>();
            int i = 0;
            for (Value v : g.requiredInputs()) {
                Path f = data.resolve("input_" + i++ + ".pb");
                if (Files.exists(f)) inputs.put(v.name(), OnnxValues.read(f, v.type()));
            }
            Map<String, Object> out = new Interpreter(g, reg).run(inputs);
            for (Value v : g.outputs()) {
                if (Boolean.getBoolean("showtypes")) System.out.println(dir.getFileName() + " " + v.name() + " : " + v.type());
                String why = agrees(v.type(), out.get(v.name()));
                if (why != null) return "output " + v.name() + " inferred " + v.type() + ": " + why;
            }
            return null;
        } catch (Throwable t) {
            String m = t.getClass().getSimpleName() + ": " + t.getMessage();
            return m.length() > 400 ? m.substring(0, 400) + "…" : m;
        }
    }

    static String agrees(ValueType t, Object value) {
        if (t instanceof ValueType.TensorType tt && value instanceof Tensor x) {
            if (tt.dtype() != null && tt.dtype() != x.dtype()) return "dtype " + x.dtype();
            if (!tt.hasRank()) return null;
            if (tt.rank() != x.rank()) return "rank " + x.rank() + " (shape " + x.shape() + ")";
            for (int d = 0; d < tt.rank(); d++)
                if (tt.dims().get(d) instanceof Dim.Known k && k.value() != x.shape().dim(d)) return "shape " + x.shape();
            return null;
        }
        if (t instanceof ValueType.SequenceType st && value instanceof TensorSequence s) {
            for (Tensor x : s.items()) { String why = agrees(st.element(), x); if (why != null) return "element: " + why; }
            return null;
        }
        if (t instanceof ValueType.UnknownType || t instanceof ValueType.OptionalType) return null;
        return "value is " + (value == null ? "nothing" : value.getClass().getSimpleName());
    }

    static String compare(Object want, Object got) {
        if (want instanceof OptionalValue w) {
            if (!(got instanceof OptionalValue g)) {
                // An optional output holding a value may be returned bare by a producer of plain values.
                if (w.isPresent()) return compare(w.value(), got);
                return "expected an empty optional, got " + describe(got);
            }
            if (w.isPresent() != g.isPresent()) return "optional presence differs: want " + w.isPresent();
            return w.isPresent() ? compare(w.value(), g.value()) : null;
        }
        if (want instanceof TensorSequence w) {
            if (!(got instanceof TensorSequence g)) return "expected a sequence, got " + describe(got);
            if (w.size() != g.size()) return "sequence length " + g.size() + " != " + w.size();
            for (int i = 0; i < w.size(); i++) {
                String why = compare(w.get(i), g.get(i));
                if (why != null) return "element " + i + ": " + why;
            }
            return null;
        }
        Tensor w = (Tensor) want;
        if (!(got instanceof Tensor g)) return "expected a tensor, got " + describe(got);
        if (w.dtype() != g.dtype()) return "dtype " + g.dtype() + " != " + w.dtype();
        if (!w.shape().equals(g.shape())) return "shape " + g.shape() + " != " + w.shape();
        long n = w.numel();
        for (long i = 0; i < n; i++) {
            if (w.dtype() == DType.STRING) {
                if (!w.getString(i).equals(g.getString(i))) return "at " + i + ": \"" + g.getString(i) + "\" != \"" + w.getString(i) + "\"";
            } else if (w.dtype().isFloatingPoint()) {
                double a = g.getDouble(i), e = w.getDouble(i);
                if (Double.isNaN(a) && Double.isNaN(e)) continue;
                if (a == e) continue;
                if (!(Math.abs(a - e) <= ATOL + RTOL * Math.abs(e))) return "at " + i + ": " + a + " != " + e;
            } else if (g.getLong(i) != w.getLong(i)) {
                return "at " + i + ": " + g.getLong(i) + " != " + w.getLong(i);
            }
        }
        return null;
    }

    private static String describe(Object o) { return o == null ? "nothing" : o.getClass().getSimpleName(); }
}
