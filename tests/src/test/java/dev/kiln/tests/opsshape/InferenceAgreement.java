package dev.kiln.tests.opsshape;

import dev.kiln.formats.onnx.OnnxModel;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.infer.TypeInference;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;
import dev.kiln.tests.suite.BackendSuite;

import java.nio.file.Path;
import java.util.Map;

/** The second check of every ops-shape backend case: whole-graph type inference against the values produced. */
final class InferenceAgreement {
    private InferenceAgreement() {}

    /**
     * Checks the static type rules: forgets every node output's declared type, runs whole-graph type inference,
     * runs the model, and requires each inferred output type to agree with the value produced (dtype, rank and
     * every dim inference claims to know). Null when consistent.
     */
    static String check(Path dir) {
        try (OnnxModel model = OnnxModel.load(dir.resolve("model.onnx"))) {
            Graph g = model.graph();
            // Read before the declared types are forgotten: expected outputs decode against them.
            Map<String, Object> inputs = BackendSuite.readDataSet(g, dir).inputs();
            for (Node n : g.nodes()) for (Value v : n.outputs()) if (v != null) v.setType(ValueType.UNKNOWN);
            OpRegistry reg = OpRegistry.standard();
            TypeInference.run(g, (node, opset) -> reg.lookup(node.domain(), node.opType(), opset));
            Map<String, Object> out = new Interpreter(g, reg).run(inputs);
            for (Value v : g.outputs()) {
                if (Boolean.getBoolean("showtypes")) System.out.println(dir.getFileName() + " " + v.name() + " : " + v.type());
                String why = agrees(v.type(), out.get(v.name()));
                if (why != null) return "output " + v.name() + " inferred " + v.type() + ": " + why;
            }
            return null;
        } catch (Throwable t) {
            return BackendSuite.reason(t);
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
}
