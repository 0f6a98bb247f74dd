package dev.kiln.runtime;

import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.Infers;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Tiny graphs and a private op registry (domain "test") for runtime tests, so they exercise the session and the
 * conformance runner without depending on the standard ops' completeness.
 */
public final class TestModels {
    private TestModels() {}

    /** test.Add (same-shape f32 add), test.Wrong (add plus one), test.Sleep (identity after 5 s), test.Boom (throws),
     * test.LiesAboutType (adds, but its type rule claims int64). */
    public static OpRegistry registry() {
        OpRegistry r = new OpRegistry();
        OpSchema.builder("test", "Add").infer(Infers.BROADCAST).kernel(ctx -> new Object[] {add(ctx.input(0), ctx.input(1), 0)}).register(r);
        OpSchema.builder("test", "Wrong").infer(Infers.BROADCAST).kernel(ctx -> new Object[] {add(ctx.input(0), ctx.input(1), 1)}).register(r);
        OpSchema.builder("test", "Sleep").infer(Infers.SAME_AS_INPUT0).kernel(ctx -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Object[] {ctx.input(0)};
        }).register(r);
        OpSchema.builder("test", "LiesAboutType").infer(ctx -> ctx.setOutputType(0, TensorType.unranked(DType.I64)))
                .kernel(ctx -> new Object[] {add(ctx.input(0), ctx.input(1), 0)}).register(r);
        OpSchema.builder("test", "Spin").infer(Infers.SAME_AS_INPUT0).kernel(ctx -> {
            long end = System.nanoTime() + 100_000_000L;   // 100 ms of busy work that ignores interrupts
            while (System.nanoTime() < end) Thread.onSpinWait();
            return new Object[] {ctx.input(0)};
        }).register(r);
        OpSchema.builder("test", "SlowOnce").infer(Infers.SAME_AS_INPUT0).kernel(ctx -> {
            if (SLOW_ONCE.compareAndSet(false, true)) {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new Object[] {ctx.input(0)};
        }).register(r);
        OpSchema.builder("test", "Boom").infer(Infers.SAME_AS_INPUT0).kernel(ctx -> { throw ctx.fail("boom"); }).register(r);
        return r;
    }

    /** test.SlowOnce sleeps 5 s on its first execution in this JVM only (a contention victim). */
    public static final java.util.concurrent.atomic.AtomicBoolean SLOW_ONCE = new java.util.concurrent.atomic.AtomicBoolean();

    static Tensor add(Tensor a, Tensor b, double extra) {
        Tensor out = Tensor.allocate(DType.F32, a.shape());
        for (long i = 0; i < a.numel(); i++) out.setDouble(i, a.getDouble(i) + b.getDouble(i) + extra);
        return out;
    }

    /** {@code z = op(x, y)} with x, y: float32[N,3] (N symbolic) and z's type left for inference. */
    public static Graph binary(String op) {
        TensorType t = new TensorType(DType.F32, List.of(Dim.sym("N"), Dim.of(3)));
        Graph g = new Graph("binary_" + op);
        g.opsetImports().put("", 13);
        g.opsetImports().put("test", 1);
        Value x = new Value("x", t), y = new Value("y", t), z = new Value("z", ValueType.UNKNOWN);
        g.inputs().add(x);
        g.inputs().add(y);
        g.addNode(new Node("n0", "test", op, List.of(x, y), List.of(z), Map.of()));
        g.outputs().add(z);
        return g;
    }

    /** {@code z = op(op(...op(x)))}, {@code n} nodes deep. */
    public static Graph chain(String op, int n) {
        Graph g = new Graph("chain_" + op);
        g.opsetImports().put("", 13);
        g.opsetImports().put("test", 1);
        Value x = new Value("x", new TensorType(DType.F32, List.of(Dim.UNKNOWN)));
        g.inputs().add(x);
        Value prev = x;
        for (int i = 0; i < n; i++) {
            Value next = new Value("v" + i, ValueType.UNKNOWN);
            g.addNode(new Node("n" + i, "test", op, List.of(prev), List.of(next), Map.of()));
            prev = next;
        }
        g.outputs().add(prev);
        return g;
    }

    /** {@code z = op(x)} with x: float32[?]. */
    public static Graph unary(String op) {
        Graph g = new Graph("unary_" + op);
        g.opsetImports().put("", 13);
        g.opsetImports().put("test", 1);
        Value x = new Value("x", new TensorType(DType.F32, List.of(Dim.UNKNOWN))), z = new Value("z", ValueType.UNKNOWN);
        g.inputs().add(x);
        g.addNode(new Node("n0", "test", op, List.of(x), List.of(z), Map.of()));
        g.outputs().add(z);
        return g;
    }
}
