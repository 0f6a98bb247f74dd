package dev.kiln.tests.conformance;

import dev.kiln.runtime.SessionOptions;
import dev.kiln.runtime.conformance.ConformanceReport;
import dev.kiln.runtime.conformance.ConformanceRunner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The ONNX backend node suite as a ratchet: the number of passing tests may only go up. The floor lives in
 * {@code tests/conformance-floor.txt}; raise it whenever this test reports more passes, never lower it to make a
 * regression pass.
 */
class ConformanceRatchetTest {
    /** Generous: a slow shared machine must not turn a correct test into a timeout and flake the ratchet. */
    private static final long TIMEOUT_MS = 30_000;

    /** At the default level and at the most aggressive one, so optimizer passes are held to the same floor. */
    @ParameterizedTest(name = "O{0}")
    @ValueSource(ints = {1, 3})
    void passCountNeverDropsBelowTheFloor(int optLevel) throws IOException {
        String shared = System.getProperty("kiln.shared");
        Path suite = shared == null ? null : Path.of(shared, "onnx-backend", "node");
        Assumptions.assumeTrue(suite != null && Files.isDirectory(suite),
                "ONNX backend node suite not found (system property kiln.shared=" + shared
                        + ", expected <kiln.shared>/onnx-backend/node); conformance ratchet skipped");
        int floor = readFloor();

        // checkTypes: a test also fails when its outputs contradict the types inference derives on its own, so a
        // wrong type rule cannot hide behind the output types the test models declare.
        var options = new ConformanceRunner.Options(2, TIMEOUT_MS, null,
                SessionOptions.defaults().withThreads(1).withOptLevel(optLevel), true);
        ConformanceReport report = new ConformanceRunner(options).run(suite);

        System.out.println(report.opTable(true));
        System.out.println("conformance at O" + optLevel + ": " + report.summary() + "; floor " + floor);
        if (report.passed() < floor)
            fail("conformance at O" + optLevel + " regressed: " + report.passed() + " tests pass, the floor is " + floor
                    + " (" + report.summary() + "). Run `kiln conformance " + suite + " --opt-level " + optLevel
                    + " --check-types --verbose` to see the failures.");
        if (report.passed() > floor)
            System.out.println("conformance improved: raise tests/conformance-floor.txt to " + report.passed());
        assertTrue(report.results().size() > 0, "the suite folder holds no tests");
    }

    private static int readFloor() throws IOException {
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
