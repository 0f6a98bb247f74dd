package dev.kiln.tests.opt;

import dev.kiln.runtime.SessionOptions;
import dev.kiln.runtime.conformance.ConformanceReport;
import dev.kiln.runtime.conformance.ConformanceRunner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The ONNX backend node suite with every optimization on (O3, IR verified after each pass): optimizing must not
 * cost a single passing test, so the O3 pass count is held to the same ratchet floor as the default level
 * ({@code tests/conformance-floor.txt}).
 */
class O3ConformanceRatchetTest {
    private static final long TIMEOUT_MS = 30_000;

    @Test void o3PassCountIsNotBelowTheFloor() throws IOException {
        String shared = System.getProperty("kiln.shared");
        Path suite = shared == null ? null : Path.of(shared, "onnx-backend", "node");
        Assumptions.assumeTrue(suite != null && Files.isDirectory(suite),
                "ONNX backend node suite not found (kiln.shared=" + shared + "); O3 conformance ratchet skipped");
        int floor = readFloor();
        String verify = System.getProperty("kiln.verify");
        System.setProperty("kiln.verify", "true");
        ConformanceReport report;
        try {
            var options = new ConformanceRunner.Options(2, TIMEOUT_MS, null, SessionOptions.defaults().withThreads(1).withOptLevel(3));
            report = new ConformanceRunner(options).run(suite);
        } finally {
            if (verify == null) System.clearProperty("kiln.verify"); else System.setProperty("kiln.verify", verify);
        }
        System.out.println("conformance at O3: " + report.summary() + "; floor " + floor);
        if (report.passed() < floor)
            fail("O3 conformance regressed: " + report.passed() + " tests pass, the floor is " + floor + " (" + report.summary()
                    + "). Compare `kiln conformance " + suite + " --opt-level 0 --verbose` with `--opt-level 3`.");
    }

    static int readFloor() throws IOException {
        String root = System.getProperty("kiln.root", ".");
        Path file = Path.of(root, "tests", "conformance-floor.txt");
        if (!Files.isRegularFile(file)) file = Path.of("conformance-floor.txt");   // run from the module folder
        for (String line : Files.readAllLines(file)) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) continue;
            return Integer.parseInt(s);
        }
        throw new IllegalStateException(file + " holds no number");
    }
}
