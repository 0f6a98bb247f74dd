package dev.kiln.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataflow graph: inputs, initializers, nodes in topological order, outputs. Subgraphs (If/Loop/Scan bodies)
 * are Graphs too; their nodes may read {@link Value}s of enclosing graphs directly (outer-scope capture).
 */
public final class Graph {
    private final String name;
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private final List<Value> initializers = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    /** Opset version per domain ("" = ai.onnx). Subgraphs share their model's imports. */
    private final Map<String, Integer> opsetImports = new LinkedHashMap<>();

    public Graph(String name) { this.name = name == null ? "" : name; }

    public String name() { return name; }
    public List<Value> inputs() { return inputs; }
    public List<Value> outputs() { return outputs; }
    /** Values with constant data. In ONNX IR &lt; 4 an initializer may also be listed as an input (a default). */
    public List<Value> initializers() { return initializers; }
    public List<Node> nodes() { return nodes; }
    public Map<String, Integer> opsetImports() { return opsetImports; }

    /** The opset version imported for {@code domain} ("" or "ai.onnx" for the default domain), or -1. */
    public int opset(String domain) {
        String d = domain == null || domain.equals("ai.onnx") ? "" : domain;
        return opsetImports.getOrDefault(d, -1);
    }

    /** Inputs the caller must feed: graph inputs that have no initializer of the same name. */
    public List<Value> requiredInputs() {
        List<Value> out = new ArrayList<>();
        for (Value v : inputs) if (v.constant() == null && !initializers.contains(v)) out.add(v);
        return Collections.unmodifiableList(out);
    }

    public Node addNode(Node n) { nodes.add(n); return n; }
}
