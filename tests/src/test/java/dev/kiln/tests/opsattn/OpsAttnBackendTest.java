package dev.kiln.tests.opsattn;

import dev.kiln.runtime.conformance.ValueComparator;
import dev.kiln.tests.suite.BackendSuite;
import dev.kiln.tests.suite.BackendSuite.KnownPolicy;
import dev.kiln.tests.suite.Tally;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ONNX backend node tests of the ops-attn families (attention, image, signal), {@code _expanded} variants
 * included, run on the shared {@link BackendSuite} harness (formats' importer, reference interpreter); outputs are
 * compared with {@link ValueComparator} (rtol 1e-3, atol 1e-7, exact dtype and shape). Writes a per-op summary to
 * {@code target/opsattn-backend.tsv}. Tests in {@code opsattn-known-failures.txt} (each with its reason) are
 * skipped; any other failure fails the build, and a known failure that starts passing is reported.
 */
class OpsAttnBackendTest {
    static final Set<String> OPS = Set.of(("Attention RotaryEmbedding SwiGLU LinearAttention FlexAttention CausalConvWithState "
            + "Resize Upsample GridSample AffineGrid RoiAlign NonMaxSuppression ImageDecoder "
            + "DFT STFT HannWindow HammingWindow BlackmanWindow MelWeightMatrix").split(" "));

    @TestFactory
    List<DynamicTest> backendNodeTests() throws IOException {
        BackendSuite.assumeData();
        Map<String, String> known = BackendSuite.knownFailures("/opsattn-known-failures.txt");
        Tally tally = new Tally();
        List<DynamicTest> tests = new ArrayList<>();
        for (BackendSuite.Case c : BackendSuite.select(OPS)) {
            String name = c.test(), op = c.op() + (name.contains("_expanded") ? " (expanded)" : "");
            tests.add(DynamicTest.dynamicTest(name, () -> {
                String why = BackendSuite.run(BackendSuite.caseDir(name), ValueComparator::compare);
                tally.add(name, op, why);
                tally.write("opsattn-backend.tsv");
                BackendSuite.verdict(name, why, known, KnownPolicy.SKIP);
            }));
        }
        return tests;
    }
}
