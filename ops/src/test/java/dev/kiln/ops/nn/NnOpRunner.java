package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpTestRunner;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Test helper: runs a single op through the reference interpreter in a one-node graph ({@link OpTestRunner}), and
 * checks the op's static type inference against every result.
 */
final class NnOpRunner {
    private NnOpRunner() {}

    /** Runs {@code op} at {@code opset}; null inputs are absent optional inputs. Returns {@code outputs} results. */
    static Tensor[] run(String op, int opset, int outputs, List<Attribute> attrs, Tensor... inputs) {
        OpTestRunner.Ran ran = OpTestRunner.run("", op, Map.of("", opset), OpTestRunner.all(outputs), OpTestRunner.byName(attrs), Arrays.asList(inputs));
        Tensor[] r = ran.tensors();
        // Every run also checks the op's static type inference against what the kernel produced.
        OpTestRunner.assertInferenceAgrees(ran.node(), opset, inputs, r);
        return r;
    }

    static Tensor run1(String op, int opset, List<Attribute> attrs, Tensor... inputs) {
        return run(op, opset, 1, attrs, inputs)[0];
    }

    static Tensor random(Random rnd, long... dims) { return OpTestRunner.gaussian(rnd, dims); }

    static Tensor randomInts(Random rnd, DType dt, long... dims) {
        int n = 1;
        for (long d : dims) n *= (int) d;
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextInt(200) - 100;
        return Tensor.fromLongs(dt, v, dims);
    }

    /** |a - e| <= atol + rtol |e| elementwise, with exact shape and dtype; any NaN fails. */
    static void assertClose(Tensor expected, Tensor actual, double rtol, double atol) {
        OpTestRunner.assertClose(expected, actual, rtol, atol, false);
    }
}
