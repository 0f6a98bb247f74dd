package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpTestRunner;
import dev.kiln.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Test helper for the attention, image and signal ops: one node, run by the reference interpreter ({@link OpTestRunner}). */
final class AttentionOpRunner {
    private AttentionOpRunner() {}

    /** Runs {@code op} at {@code opset} with {@code outputs} outputs (null entries in {@code wanted} are left unnamed). */
    static Tensor[] run(String domain, String op, int opset, boolean[] wanted, List<Attribute> attrs, Tensor... inputs) {
        return OpTestRunner.run(domain, op, Map.of(domain, opset), wanted, OpTestRunner.byName(attrs), Arrays.asList(inputs)).tensors();
    }

    static Tensor[] run(String op, int opset, int outputs, List<Attribute> attrs, Tensor... inputs) {
        return run("", op, opset, OpTestRunner.all(outputs), attrs, inputs);
    }

    static Tensor run1(String op, int opset, List<Attribute> attrs, Tensor... inputs) {
        return run(op, opset, 1, attrs, inputs)[0];
    }

    static Tensor random(Random rnd, long... dims) { return OpTestRunner.gaussian(rnd, dims); }

    /** |a - e| <= atol + rtol |e| elementwise (NaN only matches NaN), with exact shape and dtype. */
    static void assertClose(Tensor expected, Tensor actual, double rtol, double atol) {
        OpTestRunner.assertClose(expected, actual, rtol, atol, true);
    }
}
