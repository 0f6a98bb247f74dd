package dev.kiln.graph;

/**
 * What the IR knows of an operator: its identity, the opset version it starts at, and its type inference.
 * Implementations (attributes, reference kernels) live in the {@code ops} module.
 */
public interface OpDef {
    /** "" for the default ONNX domain. */
    String domain();
    String opType();
    /** The opset version this definition was introduced in; it applies until the next definition's. */
    int sinceVersion();
    /** Sets the output types of {@code ctx.node()} from its input types, attributes and constant inputs. */
    void inferTypes(InferenceContext ctx);
}
