package dev.kiln.tests.conformance;

import dev.kiln.runtime.docs.OperatorsDoc;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docs/OPERATORS.md must match the op registry and the backends. Run here (not in runtime) because only the
 * tests module sees every backend module, so the GPU columns are filled in.
 */
class OperatorsDocTest {
    private static final String REGEN = "mvn -B -pl tests -am verify -Dtest=OperatorsDocTest -Dkiln.regen=true "
            + "-Dsurefire.failIfNoSpecifiedTests=false";

    @Test void checkedInOperatorsDocIsCurrent() throws IOException {
        Path doc = Path.of(System.getProperty("kiln.root", ".."), "docs", "OPERATORS.md");
        String want = OperatorsDoc.generate();
        if (Boolean.getBoolean("kiln.regen")) {
            Files.createDirectories(doc.getParent());
            Files.writeString(doc, want);
            System.out.println("regenerated " + doc);
            return;
        }
        if (!Files.isRegularFile(doc)) fail(doc + " is missing; generate it with: " + REGEN);
        if (!Files.readString(doc).equals(want))
            fail(doc + " is stale (the op registry or a backend changed); regenerate it with: " + REGEN);
    }

    @Test void everyRegisteredOpHasARow() {
        String doc = OperatorsDoc.generate();
        assertTrue(doc.contains("| Op | Domain | Opset versions | Reference | CPU | CUDA | HIP |"), doc.substring(0, Math.min(600, doc.length())));
    }
}
