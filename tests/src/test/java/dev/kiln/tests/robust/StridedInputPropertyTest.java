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
 * Non-contiguous inputs (permuted storage, steps, negative strides, stride-0 broadcasts over poisoned buffers) fed
 * straight to single-op models must give the same answer as their dense copies on the reference backend, on the CPU
 * backend at O0 and O3 — a fast kernel that assumes density reads the poison (NaN) or the wrong elements.
 */
class StridedInputPropertyTest {
    static final String[] MODELS = {
            "test_matmul_2d", "test_matmul_3d", "test_matmul_4d", "test_gemm_default_matrix_bias", "test_gemm_transposeA",
            "test_add_bcast", "test_mul_bcast", "test_sub_bcast", "test_div_bcast", "test_add", "test_mul",
            "test_pow_bcast_array", "test_where_example", "test_sum_example", "test_max_example",
            "test_softmax_axis_1", "test_softmax_axis_2", "test_softmax_default_axis",
            "test_layer_normalization_2d_axis1", "test_layer_normalization_3d_axis_negative_1_epsilon",
            "test_layer_normalization_4d_axis_negative_1", "test_batchnorm_epsilon", "test_instancenorm_example",
            "test_relu", "test_leakyrelu", "test_clip", "test_tanh", "test_sigmoid", "test_erf", "test_exp",
            "test_gelu_default_2", "test_transpose_default", "test_concat_2d_axis_0", "test_gather_0",
            "test_reduce_mean_default_axes_keepdims_random", "test_reduce_sum_default_axes_keepdims_random",
            "test_reduce_max_default_axes_keepdim_example", "test_conv_with_strides_padding",
            "test_maxpool_2d_default", "test_averagepool_2d_default",
            "test_abs", "test_neg", "test_reciprocal", "test_sqrt", "test_min_example", "test_logsoftmax_axis_1",
            "test_reduce_log_sum_exp_do_not_keepdims_random", "test_reduce_log_sum_asc_axes",
            "test_reduce_min_do_not_keepdims_random", "test_reduce_prod_do_not_keepdims_random",
            "test_reduce_sum_square_do_not_keepdims_random", "test_reduce_mean_do_not_keepdims_random",
            "test_reduce_sum_do_not_keepdims_random", "test_reduce_max_do_not_keepdims_random",
            "test_globalaveragepool", "test_globalmaxpool", "test_transpose_all_permutations_3",
            "test_gemm_transposeB", "test_gemm_all_attributes", "test_gemm_alpha", "test_matmul_bcast",
            "test_gather_1", "test_gather_2d_indices", "test_gather_negative_indices",
            "test_averagepool_2d_pads", "test_averagepool_2d_strides", "test_maxpool_2d_strides",
            "test_conv_with_autopad_same", "test_conv_with_strides_and_asymmetric_padding", "test_gelu_tanh_2",
            "test_sub", "test_div", "test_pow",
    };

    @Provide Arbitrary<String> models() { return Arbitraries.of(MODELS); }

    @Property(tries = 250)
    void viewsMatchDenseCopies(@ForAll("models") String test, @ForAll long seed) {
        Random rnd = new Random(seed);
        Map<String, Tensor> dense = Models.inputs(test);
        Map<String, Tensor> views = new LinkedHashMap<>(), copies = new LinkedHashMap<>();
        StringBuilder how = new StringBuilder(test);
        for (Map.Entry<String, Tensor> e : dense.entrySet()) {
            // Leave some inputs dense so mixed dense/strided operand pairs are covered too.
            Views.View v = rnd.nextInt(4) == 0 ? new Views.View(e.getValue(), "dense") : Views.random(e.getValue(), rnd, !(test.contains("normalization") || test.contains("instancenorm")));
            views.put(e.getKey(), v.tensor());
            copies.put(e.getKey(), v.tensor().copy());
            how.append(" | ").append(e.getKey()).append(": ").append(v.how());
        }
        Map<String, Tensor> expected = Models.session(test, Models.REF).run(copies);
        Models.assertAllClose(how + " [reference on views]", expected, Models.session(test, Models.REF).run(views));
        // Read-only inputs (as from a memory-mapped file): a kernel that works in place on an input would fail here.
        Map<String, Tensor> readOnly = new LinkedHashMap<>();
        copies.forEach((k, t) -> readOnly.put(k, t.dtype() == dev.kiln.tensor.DType.STRING ? t
                : Tensor.wrap(t.dtype(), t.shape(), t.copy().segment().asReadOnly())));
        for (int opt : new int[] {0, 3}) {
            Session s = Models.session(test, Models.cpu(opt));
            Models.assertAllClose(how + " [cpu O" + opt + " on views]", expected, s.run(views));
            Models.assertAllClose(how + " [cpu O" + opt + " on copies]", expected, s.run(copies));
            Models.assertAllClose(how + " [cpu O" + opt + " on read-only copies]", expected, s.run(readOnly));
        }
        // Runs never write into the caller's inputs.
        for (String k : views.keySet())
            Models.assertClose(how + " input '" + k + "' after the runs", copies.get(k), views.get(k).copy(), 0, 0);
    }
}
