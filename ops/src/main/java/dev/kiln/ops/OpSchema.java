package dev.kiln.ops;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.OpDef;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The single definition of one op version: identity, attribute schema with defaults, type inference and the
 * scalar reference kernel. Built with {@link #builder}; one schema per (domain, op, since-version).
 */
public final class OpSchema implements OpDef {
    private final String domain;
    private final String opType;
    private final int since;
    private final Map<String, AttrSpec> attrs;
    private final Inference inference;
    private final Kernel kernel;

    private OpSchema(Builder b, int since) {
        this.domain = b.domain;
        this.opType = b.opType;
        this.since = since;
        this.attrs = Map.copyOf(b.attrs);
        this.inference = b.inference;
        this.kernel = b.kernel;
    }

    @Override public String domain() { return domain; }
    @Override public String opType() { return opType; }
    @Override public int sinceVersion() { return since; }
    @Override public void inferTypes(InferenceContext ctx) { inference.infer(ctx); }
    public Map<String, AttrSpec> attributes() { return attrs; }
    public Kernel kernel() { return kernel; }

    public static Builder builder(String opType) { return new Builder("", opType); }
    public static Builder builder(String domain, String opType) { return new Builder(domain, opType); }

    /** Collects one op's definition; {@link #register} adds one schema per listed since-version. */
    public static final class Builder {
        private final String domain;
        private final String opType;
        private int[] versions = {1};
        private final Map<String, AttrSpec> attrs = new LinkedHashMap<>();
        private Inference inference = Inference.NONE;
        private Kernel kernel;

        private Builder(String domain, String opType) {
            this.domain = domain == null || domain.equals("ai.onnx") ? "" : domain;
            this.opType = opType;
        }

        /**
         * The opset versions at which this op's definition changed. When versions differ in behaviour, the
         * kernel reads {@link KernelContext#opsetVersion()}.
         */
        public Builder since(int... versions) { this.versions = versions.clone(); return this; }
        public Builder attr(String name, Attribute.Kind kind, Object dflt) { attrs.put(name, AttrSpec.optional(name, kind, dflt)); return this; }
        public Builder attrFloat(String name, float dflt) { return attr(name, Attribute.Kind.FLOAT, dflt); }
        public Builder attrInt(String name, long dflt) { return attr(name, Attribute.Kind.INT, dflt); }
        public Builder attrString(String name, String dflt) { return attr(name, Attribute.Kind.STRING, dflt); }
        public Builder attrInts(String name, long[] dflt) { return attr(name, Attribute.Kind.INTS, dflt); }
        public Builder attrFloats(String name, float[] dflt) { return attr(name, Attribute.Kind.FLOATS, dflt); }
        public Builder required(String name, Attribute.Kind kind) { attrs.put(name, AttrSpec.required(name, kind)); return this; }
        public Builder infer(Inference inference) { this.inference = inference; return this; }
        public Builder kernel(Kernel kernel) { this.kernel = kernel; return this; }

        public void register(OpRegistry registry) {
            if (kernel == null) throw new IllegalStateException(opType + " has no kernel");
            for (int v : versions) registry.add(new OpSchema(this, v));
        }
    }
}
