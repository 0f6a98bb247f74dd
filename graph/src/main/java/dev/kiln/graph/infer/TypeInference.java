package dev.kiln.graph.infer;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.KilnException;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.Node;
import dev.kiln.graph.OpDef;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Static type inference over a whole model: calls each node's {@link OpDef#inferTypes} in topological order and
 * recurses into subgraphs (If/Loop/Scan bodies) before the node that owns them, so a body's outer-scope reads
 * already have types.
 *
 * <p>Tolerant by design: a rule that throws, or a node whose op is unknown, leaves its outputs' types as they
 * were (usually unknown) and is recorded as a {@link Diagnostics#warnings() warning}, because a model that an
 * incomplete rule cannot type may still run. Only clear contradictions abort with a
 * {@link ModelFormatException}: an inferred dtype that differs from the dtype the model declares for the same
 * value, or a rule that reports a typed {@link KilnException} (for example known dims that cannot broadcast).
 */
public final class TypeInference {
    /** Finds the op definition of a node at the model's opset for the node's domain; null when unknown. */
    @FunctionalInterface
    public interface OpResolver {
        OpDef resolve(Node node, int opsetVersion);

        /** Uses the definition already attached to the node ({@link Node#op()}). */
        OpResolver ATTACHED = (node, opset) -> node.op();
    }

    /**
     * Optional constant folding hook: given a node whose inputs are all constant, returns its outputs (or null
     * to decline). Lets inference see through shape arithmetic such as {@code Shape -> Gather -> Reshape}.
     */
    @FunctionalInterface
    public interface Folder {
        Tensor[] fold(Node node, OpDef op, int opsetVersion, List<Tensor> constantInputs);

        Folder NONE = (node, op, opset, inputs) -> null;
    }

    /** What inference could not do; never an error. */
    public record Diagnostics(List<String> warnings, int typedOutputs, int untypedOutputs) {
        public Diagnostics { warnings = List.copyOf(warnings); }
    }

    private final OpResolver resolver;
    private final Folder folder;
    private final Map<Value, Tensor> constants = new IdentityHashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private int typed;
    private int untyped;

    private TypeInference(OpResolver resolver, Folder folder) {
        this.resolver = resolver;
        this.folder = folder;
    }

    /** Infers and stores types for every value of {@code model} (and its subgraphs) in place. */
    public static Diagnostics run(Graph model, OpResolver resolver) {
        return run(model, resolver, Folder.NONE);
    }

    public static Diagnostics run(Graph model, OpResolver resolver, Folder folder) {
        TypeInference ti = new TypeInference(resolver, folder);
        ti.inferGraph(model, model);
        return new Diagnostics(ti.warnings, ti.typed, ti.untyped);
    }

    private void inferGraph(Graph g, Graph root) {
        for (Value init : g.initializers()) {
            if (init.constant() != null) {
                constants.put(init, init.constant());
                if (!(init.type() instanceof ValueType.TensorType tt) || tt.dtype() == null || !tt.hasRank())
                    init.setType(ValueType.TensorType.of(init.constant().dtype(), init.constant().shape()));
            }
        }
        for (Node n : g.nodes()) {
            for (Attribute a : n.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) inferGraph(a.asGraph(), root);
                else if (a.kind() == Attribute.Kind.GRAPHS) for (Graph sg : a.asGraphs()) inferGraph(sg, root);
            }
            inferNode(n, g, root);
        }
    }

    private void inferNode(Node n, Graph g, Graph root) {
        int opset = root.opset(n.domain());
        if (opset < 0) opset = g.opset(n.domain());
        OpDef op = resolver.resolve(n, opset);
        if (op == null) {
            warnings.add("no type rule for " + n.describe() + ": unknown op");
            countOutputs(n);
            return;
        }
        Tensor constant = ConstantNodes.valueOf(n);
        if (constant != null && n.output(0) != null) constants.put(n.output(0), constant);
        NodeInference ctx = new NodeInference(n, opset, constants);
        try {
            op.inferTypes(ctx);
        } catch (KilnException e) {
            throw new ModelFormatException("type inference failed at node " + n.describe() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            warnings.add("type rule of " + n.describe() + " failed (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "); outputs left as declared");
            countOutputs(n);
            return;
        }
        for (int i = 0; i < n.outputs().size(); i++) {
            Value v = n.outputs().get(i);
            if (v == null || v.name().isEmpty()) continue;
            ValueType inferred = ctx.result(i);
            if (inferred != null) v.setType(TypeMerge.merge(v.type(), inferred, v, n, warnings));
        }
        tryFold(n, op, opset);
        countOutputs(n);
    }

    private void tryFold(Node n, OpDef op, int opset) {
        if (n.inputs().isEmpty() || n.output(0) == null || constants.containsKey(n.output(0))) return;
        if (foldShape(n)) return;
        List<Tensor> in = new ArrayList<>();
        for (Value v : n.inputs()) {
            if (v == null || v.name().isEmpty()) { in.add(null); continue; }
            Tensor c = constants.get(v);
            if (c == null) c = v.constant();
            if (c == null) return;
            in.add(c);
        }
        Tensor[] out;
        try {
            out = folder.fold(n, op, opset, in);
        } catch (RuntimeException e) {
            return; // folding is only an aid to inference; the interpreter reports real failures at run time
        }
        if (out == null) return;
        for (int i = 0; i < out.length && i < n.outputs().size(); i++) {
            Value v = n.outputs().get(i);
            if (v != null && out[i] != null) constants.put(v, out[i]);
        }
    }

    /** Shape of a statically shaped value is a constant, even though its input is not. */
    private boolean foldShape(Node n) {
        if (!n.domain().isEmpty() || !n.opType().equals("Shape") || n.attribute("start") != null
                || n.attribute("end") != null) return false;
        Value in = n.input(0);
        if (in == null || !(in.type() instanceof ValueType.TensorType tt)) return false;
        var shape = tt.shapeOrNull();
        if (shape == null) return false;
        constants.put(n.output(0), Tensor.ofLongs(shape.dims(), shape.rank()));
        return true;
    }

    private void countOutputs(Node n) {
        for (Value v : n.outputs()) {
            if (v == null || v.name().isEmpty()) continue;
            if (v.type() instanceof ValueType.UnknownType) untyped++;
            else typed++;
        }
    }
}
