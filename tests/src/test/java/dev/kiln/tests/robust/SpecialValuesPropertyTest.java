package dev.kiln.tests.robust;

import dev.kiln.runtime.Session;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * NaN, infinities, signed zeros and large magnitudes sprinkled into float inputs: the CPU backend's fast kernels
 * (vectorized exp/erf/tanh, fused reductions) must propagate them as the reference interpreter does.
 */
class SpecialValuesPropertyTest {
    static final String[] MODELS = {
            "test_add_bcast", "test_mul_bcast", "test_div_bcast", "test_relu", "test_leakyrelu", "test_clip",
            "test_tanh", "test_sigmoid", "test_erf", "test_exp", "test_gelu_default_2",
            "test_softmax_axis_1", "test_softmax_default_axis", "test_layer_normalization_2d_axis1",
            "test_layer_normalization_4d_axis_negative_1", "test_reduce_mean_default_axes_keepdims_random",
            "test_reduce_sum_default_axes_keepdims_random", "test_reduce_max_default_axes_keepdim_example",
            "test_maxpool_2d_default", "test_averagepool_2d_default", "test_matmul_2d", "test_max_example",
    };
    static final double[] SPECIAL = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0,
            88.0, -88.0, 1e20, -1e20, 1e-40};

    @Provide Arbitrary<String> models() { return Arbitraries.of(MODELS); }

    @Property(tries = 150)
    void specialValuesMatchTheReference(@ForAll("models") String test, @ForAll long seed) {
        Random rnd = new Random(seed);
        Map<String, Tensor> in = new LinkedHashMap<>();
        StringBuilder how = new StringBuilder(test);
        for (Map.Entry<String, Tensor> e : Models.inputs(test).entrySet()) {
            Tensor t = e.getValue();
            if (t.dtype().isFloatingPoint() && t.numel() > 0) {
                int k = 1 + rnd.nextInt(3);
                for (int j = 0; j < k; j++) {
                    long at = (long) (rnd.nextDouble() * t.numel());
                    double v = SPECIAL[rnd.nextInt(SPECIAL.length)];
                    // NaN in MaxPool is implementation-defined (ORT ignores it, numpy's max propagates it) and the
                    // reference and CPU kernels currently disagree: reported, not pinned here.
                    if (Double.isNaN(v) && test.contains("maxpool")) v = Double.POSITIVE_INFINITY;
                    t.setDouble(at, v);
                    how.append(" ").append(e.getKey()).append('[').append(at).append("]=").append(v);
                }
            }
            in.put(e.getKey(), t);
        }
        Map<String, Tensor> expected = Models.session(test, Models.REF).run(in);
        for (int opt : new int[] {0, 3}) {
            Session s = Models.session(test, Models.cpu(opt));
            Models.assertAllClose(how + " [cpu O" + opt + "]", expected, s.run(in));
        }
    }
}
