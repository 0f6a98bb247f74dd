package dev.kiln.runtime;

import dev.kiln.graph.Graph;
import dev.kiln.graph.KilnException;
import dev.kiln.graph.Value;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.pass.PassPipeline;
import dev.kiln.codegen.opt.Optimizer;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.ops.interp.NodeObserver;
import dev.kiln.runtime.backend.Backend;
import dev.kiln.runtime.backend.Backends;
import dev.kiln.runtime.backend.ReferenceBackend;
import dev.kiln.runtime.conformance.ValueComparator;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A loaded model ready to run: the application's entry point to Kiln.
 *
 * <pre>{@code
 * try (Session s = Session.load(Path.of("model.onnx"))) {
 *     Map<String, Tensor> out = s.run(Map.of("x", Tensor.of(new float[] {1, 2, 3}, 1, 3)));
 * }
 * }</pre>
 *
 * Loading imports the model, infers static types, optimizes the graph ({@link SessionOptions#optLevel()}) and
 * resolves every node to a kernel of the chosen backend, reporting all unsupported operators at once. {@link #run} is thread-safe: any number of threads may run one
 * session concurrently, each run keeping its intermediates to itself.
 */
public final class Session implements AutoCloseable {
    private final Graph graph;
    private final SessionOptions options;
    private final Backend backend;
    private final Interpreter interpreter;
    private final Interpreter reference;   // only with options.verify() on a non-reference backend
    private final List<IoInfo> inputs;
    private final List<IoInfo> optionalInputs;
    private final List<IoInfo> outputs;
    private final ModelAnalysis analysis;
    private final LoadedModel model;
    private final List<PassPipeline.Step> optimization;
    /** Runs share the read lock; close takes the write lock, so it never unmaps weights under a running request. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private Session(LoadedModel model, SessionOptions options, OpRegistry registry) {
        this.model = model;
        this.graph = model.graph();
        this.options = options;
        // Types first: passes and backends look at static shapes and constant weights.
        this.analysis = ModelAnalysis.infer(graph, registry);
        // Optimize before kernels are chosen: fused nodes get their own (reference or fast) kernels.
        this.optimization = Optimizer.optimize(graph, options.optLevel(),
                PassContext.fromSystemProperties(n -> registry.lookup(n.domain(), n.opType(), graph.opset(n.domain()))));
        this.backend = Backends.resolve(options.backend(), Session::noticeOnce);
        this.interpreter = new Interpreter(graph, registry, backend.selector(options));
        this.reference = options.verify() && !backend.name().equals(ReferenceBackend.NAME)
                ? new Interpreter(graph, registry) : null;
        List<IoInfo> req = new ArrayList<>(), opt = new ArrayList<>(), outs = new ArrayList<>();
        List<Value> required = graph.requiredInputs();
        for (Value v : graph.inputs()) (required.contains(v) ? req : opt).add(new IoInfo(v.name(), v.type()));
        for (Value v : graph.outputs()) outs.add(new IoInfo(v.name(), v.type()));
        this.inputs = Collections.unmodifiableList(req);
        this.optionalInputs = Collections.unmodifiableList(opt);
        this.outputs = Collections.unmodifiableList(outs);
    }

    /** Notices already printed: a fallback is announced once per process, not once per session. */
    private static final java.util.Set<String> NOTICES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static void noticeOnce(String line) {
        if (NOTICES.add(line)) System.err.println(line);
    }

    public static Session load(Path model) { return load(model, SessionOptions.defaults()); }

    public static Session load(Path model, SessionOptions options) {
        return open(ModelFiles.load(model), options, OpRegistry.standard());
    }

    public static Session load(byte[] model, SessionOptions options) {
        return open(ModelFiles.load(model), options, OpRegistry.standard());
    }

    /** A session that owns {@code m} and closes it with itself (or at once when loading fails). */
    static Session open(LoadedModel m, SessionOptions options, OpRegistry registry) {
        try {
            return new Session(m, options, registry);
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    /**
     * A session over an already-built graph (from another importer or built in code). The session owns the graph
     * from now on: it attaches op definitions and inferred types to it.
     */
    public static Session of(Graph graph, SessionOptions options) {
        return new Session(LoadedModel.of(graph), options, OpRegistry.standard());
    }

    /** As {@link #of(Graph, SessionOptions)} with a custom op registry (tests, extension ops). */
    public static Session of(Graph graph, SessionOptions options, OpRegistry registry) {
        return new Session(LoadedModel.of(graph), options, registry);
    }

    /** What each optimization pass did at load (empty at O0). */
    public List<PassPipeline.Step> optimizationSteps() { return optimization; }

    /** The graph as optimized and executed (for inspection; do not modify). */
    public Graph graph() { return graph; }

    /** Inputs the caller must feed, in model order. */
    public List<IoInfo> inputs() { return inputs; }

    /** Inputs with a default value in the model (ONNX IR &lt; 4 initializers listed as inputs); may be fed. */
    public List<IoInfo> optionalInputs() { return optionalInputs; }

    public List<IoInfo> outputs() { return outputs; }

    public SessionOptions options() { return options; }

    /** The backend actually used (after any fallback). */
    public String backend() { return backend.name(); }

    /** Warnings from type inference at load (rules that could not type a node); empty when all is typed. */
    public List<String> warnings() { return analysis.warnings(); }

    /** Runs the model on tensor inputs; every output must be a tensor (else use {@link #runValues}). */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<String, Object> out = runValues(inputs);
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : out.entrySet()) {
            if (e.getValue() != null && !(e.getValue() instanceof Tensor))
                throw new KilnException("output '" + e.getKey() + "' is a " + e.getValue().getClass().getSimpleName()
                        + ", not a tensor; use Session.runValues");
            result.put(e.getKey(), (Tensor) e.getValue());
        }
        return result;
    }

    /**
     * Runs the model on inputs that may be tensors, {@link dev.kiln.tensor.TensorSequence}s or
     * {@link dev.kiln.tensor.OptionalValue}s; returns every output by name, in model order.
     */
    public Map<String, Object> runValues(Map<String, ?> inputs) {
        return runValues(inputs, NodeObserver.NONE);
    }

    /** As {@link #runValues(Map)}, reporting every node's execution time to {@code observer} (profiling). */
    public Map<String, Object> runValues(Map<String, ?> inputs, NodeObserver observer) {
        lifecycle.readLock().lock();
        try {
            if (closed) throw new IllegalStateException("session is closed");
            return runOpen(inputs, observer);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private Map<String, Object> runOpen(Map<String, ?> inputs, NodeObserver observer) {
        InputValidator.check(this.inputs, optionalInputs, inputs);
        Map<String, Object> out = detach(interpreter.run(inputs, observer));
        if (reference != null) {
            Map<String, Object> expected = reference.run(inputs);
            for (Map.Entry<String, Object> e : expected.entrySet()) {
                String diff = ValueComparator.compare(e.getValue(), out.get(e.getKey()));
                if (diff != null)
                    throw new KilnException("verify: backend " + backend.name() + " differs from the reference on output '"
                            + e.getKey() + "': " + diff);
            }
        }
        return out;
    }

    /** Copies outputs that view the model's mapped weights, which die when the session closes. */
    private Map<String, Object> detach(Map<String, Object> out) {
        for (Map.Entry<String, Object> e : out.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Tensor t && model.owns(t)) e.setValue(t.copy());
            else if (v instanceof TensorSequence s) {
                List<Tensor> items = new ArrayList<>();
                boolean any = false;
                for (Tensor t : s.items()) { any |= model.owns(t); items.add(model.owns(t) ? t.copy() : t); }
                if (any) e.setValue(new TensorSequence(s.elementType(), items));
            } else if (v instanceof OptionalValue o && o.value() instanceof Tensor t && model.owns(t)) {
                e.setValue(new OptionalValue(t.copy(), o.elementType()));
            }
        }
        return out;
    }

    /**
     * Waits for running requests, then releases the model file. Outputs already returned stay valid: runs copy
     * any output that would view the model's weights.
     */
    @Override public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) return;
            closed = true;
            model.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override public String toString() {
        return "Session[" + (graph.name().isEmpty() ? "model" : graph.name()) + ", backend=" + backend.name()
                + ", inputs=" + inputs + ", outputs=" + outputs + "]";
    }
}
