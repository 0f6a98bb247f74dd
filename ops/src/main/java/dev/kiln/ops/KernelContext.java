package dev.kiln.ops;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.tensor.Tensor;

import java.util.List;

/**
 * What a reference kernel sees: its node's inputs (absent optional inputs are null), attributes with the
 * schema's defaults applied, the opset version, and a way to run subgraphs (If/Loop/Scan bodies).
 */
public interface KernelContext {
    Node node();
    int opsetVersion();

    /** Number of input slots of the node, absent optional ones included. */
    int inputCount();
    boolean hasInput(int i);
    /** The input as a tensor; throws {@link OpFailure} naming the node when it is absent or not a tensor. */
    Tensor input(int i);
    /** The input as a tensor, or null when absent. */
    Tensor optionalInput(int i);
    /** The raw input value (Tensor, TensorSequence, OptionalValue) or null when absent. */
    Object inputValue(int i);

    /** Number of output slots of the node; an output nobody reads may still be computed. */
    int outputCount();
    boolean outputRequested(int i);

    /** True when the node sets the attribute explicitly (defaults do not count). */
    boolean hasAttr(String name);
    /** The node's attribute or the schema default as an Attribute, or null when neither exists. */
    Attribute attr(String name);
    long attrInt(String name);
    float attrFloat(String name);
    String attrString(String name);
    /** Null when neither set nor defaulted. */
    long[] attrInts(String name);
    float[] attrFloats(String name);
    String[] attrStrings(String name);
    Tensor attrTensor(String name);
    Graph attrGraph(String name);

    /**
     * Runs a subgraph with the given inputs (bound to its graph inputs in order); the subgraph may read any value
     * visible at this node. Returns its outputs in order.
     */
    List<Object> runSubgraph(Graph body, List<Object> inputs);

    /** An {@link OpFailure} whose message starts with this node's description. */
    default OpFailure fail(String message) { return new OpFailure(node().describe() + ": " + message); }
}
