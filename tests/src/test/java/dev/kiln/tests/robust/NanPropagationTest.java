package dev.kiln.tests.robust;

import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

/** NaN handling where the reference interpreter and the CPU kernels must agree. */
class NanPropagationTest {
    static Map<String, Tensor> withNaN(String test, long at) {
        Map<String, Tensor> in = Models.inputs(test);
        Tensor x = in.values().iterator().next();
        x.setDouble(at, Double.NaN);
        return in;
    }

    /** Softmax over a line holding +Inf: all NaN on both (as ONNX's numpy reference); fixed in SoftmaxOps. */
    @Test void softmaxWithInfinity() {
        Map<String, Tensor> in = Models.inputs("test_softmax_axis_1");
        in.values().iterator().next().setDouble(23, Double.POSITIVE_INFINITY);
        Map<String, Tensor> ref = Models.session("test_softmax_axis_1", Models.REF).run(in);
        for (int opt : new int[] {0, 3})
            Models.assertAllClose("softmax +Inf O" + opt, ref, Models.session("test_softmax_axis_1", Models.cpu(opt)).run(in));
        org.junit.jupiter.api.Assertions.assertTrue(Double.isNaN(ref.values().iterator().next().getDouble(28)));
    }

    /** The reference skips NaN in a window (v > max, like ONNX Runtime); the CPU kernel must agree. */
    @Test void maxPoolWithNaN() {
        Map<String, Tensor> in = withNaN("test_maxpool_2d_default", 1618);
        Map<String, Tensor> ref = Models.session("test_maxpool_2d_default", Models.REF).run(in);
        for (int opt : new int[] {0, 3})
            Models.assertAllClose("maxpool NaN O" + opt, ref, Models.session("test_maxpool_2d_default", Models.cpu(opt)).run(in));
    }
}
