package dev.kiln.tests.codegen;

import dev.kiln.runtime.SessionOptions;
import dev.kiln.runtime.conformance.ConformanceReport;
import dev.kiln.runtime.conformance.ConformanceRunner;
import dev.kiln.runtime.conformance.TestResult;
import dev.kiln.runtime.conformance.TestStatus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ONNX backend node tests that chain float elementwise ops (the "_expanded" function bodies and friends)
 * run at O2, where the elementwise fusion and generated kernels apply: nothing that passes at O1 may fail.
 */
class ConformanceAtO2Test {
    static final Pattern CHAINS = Pattern.compile(
            "test_(celu|elu|gelu|hardsigmoid|hardswish|leakyrelu|relu|prelu|selu|softsign|thresholdedrelu|mish|softplus|swish|shrink|clip|layer_normalization|softmax|logsoftmax)[a-z0-9_]*expanded[a-z0-9_]*");

    @Test
    void expandedElementwiseChainsPassAtO2WhereverTheyPassAtO1() {
        Path suite = Path.of(System.getProperty("kiln.shared", "../shared"), "onnx-backend", "node");
        Assumptions.assumeTrue(Files.isDirectory(suite), "ONNX node tests not found at " + suite);
        ConformanceRunner.Options base = ConformanceRunner.Options.defaults().withFilter(CHAINS).withJobs(2);
        ConformanceReport o1 = new ConformanceRunner(base.withSession(SessionOptions.defaults().withThreads(1).withOptLevel(1))).run(suite);
        ConformanceReport o2 = new ConformanceRunner(base.withSession(SessionOptions.defaults().withThreads(1).withOptLevel(2))).run(suite);
        assertTrue(o1.results().size() > 20, "too few matching tests: " + o1.results().size());
        Map<String, TestStatus> before = new HashMap<>();
        for (TestResult r : o1.results()) before.put(r.name(), r.status());
        List<String> regressions = new ArrayList<>();
        for (TestResult r : o2.results())
            if (before.get(r.name()) == TestStatus.PASS && r.status() != TestStatus.PASS) regressions.add(r.name() + ": " + r.message());
        System.err.println("O1 " + o1.summary() + "\nO2 " + o2.summary());
        assertEquals(List.of(), regressions);
    }
}
