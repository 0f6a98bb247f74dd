package dev.kiln.codegen.opt;

import dev.kiln.graph.Graph;
import dev.kiln.graph.infer.TypeInference;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.text.IrPrinter;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Running the optimized graph gives what running the imported graph gives (ONNX backend tolerance: rtol 1e-3,
 * atol 1e-7, exact dtype and shape), for random graphs, at O1 and O3, with the verifier after every pass.
 */
class OptimizationPreservesMeaningProperties {
    @Property(tries = 250)
    void o1KeepsResults(@ForAll long seed) { check(seed, 1); }

    @Property(tries = 250)
    void o3KeepsResults(@ForAll long seed) { check(seed, 3); }

    static void check(long seed, int level) {
        RandomGraphs.Case reference = RandomGraphs.build(seed);
        RandomGraphs.Case optimized = RandomGraphs.build(seed);
        Graph g = optimized.graph();
        String before = IrPrinter.print(g);
        TypeInference.run(g, (n, opset) -> PassTesting.REGISTRY.lookup(n.domain(), n.opType(), opset));
        PassContext ctx = new PassContext(n -> PassTesting.REGISTRY.lookup(n.domain(), n.opType(), g.opset(n.domain())), Set.of(), true, null);
        Optimizer.optimize(g, level, ctx);
        Map<String, Object> want = new Interpreter(reference.graph(), PassTesting.REGISTRY).run(reference.feed());
        Map<String, Object> got;
        try {
            got = new Interpreter(g, PassTesting.REGISTRY).run(optimized.feed());
        } catch (RuntimeException e) {
            throw new AssertionError("optimized graph of seed " + seed + " fails: " + e.getMessage() + "\nbefore:\n" + before
                    + "after O" + level + ":\n" + IrPrinter.print(g), e);
        }
        assertEquals(want.keySet(), got.keySet(), "outputs keep their names");
        for (String name : want.keySet()) {
            String where = "output " + name + " of seed " + seed + "\nbefore:\n" + before + "after O" + level + ":\n" + IrPrinter.print(g);
            compare((Tensor) want.get(name), (Tensor) got.get(name), where);
        }
        assertTrue(g.nodes().size() <= reference.graph().nodes().size(), "the clean-ups never add nodes");
    }

    static void compare(Tensor want, Tensor got, String where) {
        assertEquals(want.dtype(), got.dtype(), where);
        assertTrue(Arrays.equals(want.shape().dims(), got.shape().dims()), "shape " + want.shape() + " vs " + got.shape() + " at " + where);
        for (long i = 0; i < want.numel(); i++) {
            double a = want.getDouble(i), b = got.getDouble(i);
            if (Double.isNaN(a) && Double.isNaN(b) || a == b) continue;
            if (Math.abs(a - b) > 1e-7 + 1e-3 * Math.abs(a)) fail("element " + i + ": " + a + " vs " + b + " at " + where);
        }
    }
}
