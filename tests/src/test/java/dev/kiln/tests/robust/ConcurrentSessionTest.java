package dev.kiln.tests.robust;

import dev.kiln.runtime.Session;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One O3 CPU session shared by 4 threads, each with its own inputs (different shapes where the model allows):
 * fused kernels may keep pre-packed weights or scratch buffers, and any sharing shows up as outputs that differ
 * from the same request run alone. Results must match the single-threaded run closely (1e-5 relative on single
 * ops, 1e-4 through MiniLM's six layers): not bit-for-bit,
 * because the same session's outputs already drift by an ulp or so between runs once C2 recompiles the Vector API
 * kernels (lane-reduction order is unspecified across JIT tiers); shared-state corruption is far larger than that.
 */
class ConcurrentSessionTest {
    static final int THREADS = 4, ROUNDS = 6;

    /** Runs request i on thread i%4, ROUNDS times each, and compares every output with the solo run. */
    static void check(Session s, List<Map<String, Tensor>> requests, double rtol, double atol) throws Exception {
        List<Map<String, Tensor>> solo = new ArrayList<>();
        for (Map<String, Tensor> r : requests) solo.add(s.run(r));
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int me = t;
                fs.add(pool.submit(() -> {
                    for (int round = 0; round < ROUNDS; round++) {
                        int i = (me + round) % requests.size();
                        Map<String, Tensor> got = s.run(requests.get(i));
                        assertEquals(solo.get(i).keySet(), got.keySet());
                        for (String k : got.keySet())
                            Models.assertClose("request " + i + " output " + k + " on thread " + me + " round " + round,
                                    solo.get(i).get(k), got.get(k), rtol, atol);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(5, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
    }

    static Tensor rnd(long seed, long... dims) {
        java.util.Random r = new java.util.Random(seed);
        long n = 1;
        for (long d : dims) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Tensor.of(v, dims);
    }

    @Test void nodeModelsAtO3() throws Exception {
        for (String test : new String[] {"test_matmul_4d", "test_gemm_default_matrix_bias", "test_layer_normalization_4d_axis_negative_1",
                "test_softmax_axis_1", "test_conv_with_strides_padding"}) {
            Session s = Models.session(test, Models.cpu(3));
            Map<String, Tensor> base = Models.inputs(test);
            List<Map<String, Tensor>> reqs = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                Map<String, Tensor> r = new java.util.LinkedHashMap<>();
                int k = 0;
                for (Map.Entry<String, Tensor> e : base.entrySet())
                    r.put(e.getKey(), rnd(31L * i + k++, e.getValue().shape().dims()));
                reqs.add(r);
            }
            check(s, reqs, 1e-5, 1e-6);
        }
    }

    @Test void miniLmAtO3WithDifferentShapes() throws Exception {
        Assumptions.assumeTrue(Models.haveMiniLm(), "no MiniLM model in ~/.cache/kiln");
        List<Map<String, Tensor>> reqs = List.of(SessionInputErrorsTest.bert(1, 7, 1), SessionInputErrorsTest.bert(2, 16, 2),
                SessionInputErrorsTest.bert(1, 33, 1), SessionInputErrorsTest.bert(3, 5, 3));
        // Six layers amplify the JIT-tier drift: the same request run alone 40 times already moves by 1.5e-6.
        check(MiniLm.session(3), reqs, 1e-4, 1e-5);
    }
}
