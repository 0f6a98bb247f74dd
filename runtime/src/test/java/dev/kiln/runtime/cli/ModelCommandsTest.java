package dev.kiln.runtime.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** inspect / compile / conformance / run through {@link Main}, on the shared ONNX node tests when present. */
class ModelCommandsTest {
    @TempDir Path tmp;

    record Result(int code, String out, String err) {}

    static Result kiln(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path node(String test) {
        String shared = System.getProperty("kiln.shared");
        Path p = shared == null ? null : Path.of(shared, "onnx-backend", "node", test);
        Assumptions.assumeTrue(p != null && Files.isDirectory(p), "shared ONNX node tests not available");
        return p;
    }

    @Test void inspectShowsIoTypesOpsetsAndHistogram() {
        Result r = kiln("inspect", node("test_add").resolve("model.onnx").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("x: float32[3,4,5]") && r.out().contains("sum: float32[3,4,5]"), r.out());
        assertTrue(r.out().contains("ai.onnx 14") && r.out().contains("Add") && r.out().contains("ir version 7"), r.out());
    }

    @Test void compileDumpsTheIr() throws Exception {
        Result r = kiln("compile", node("test_add").resolve("model.onnx").toString(), "--dump-ir", tmp.toString());
        assertEquals(0, r.code(), r.err());
        String ir = Files.readString(tmp.resolve("00-imported.ir"));
        assertTrue(ir.contains("%sum:float32[3,4,5] = Add(%x, %y)"), ir);
    }

    @Test void conformanceOnAnyFolderWritesJson() throws Exception {
        Path suite = Files.createDirectories(tmp.resolve("suite"));
        copyTree(node("test_add"), suite.resolve("test_add"));
        Path json = tmp.resolve("r.json");
        Result r = kiln("conformance", suite.toString(), "--json", json.toString(), "--jobs", "1");
        assertTrue(r.out().contains("1 tests:"), r.out());
        String j = Files.readString(json);
        assertTrue(j.contains("\"name\": \"test_add\"") && j.contains("\"op\": \"Add\""), j);
    }

    @Test void usageErrorsExitWithTwo() {
        assertEquals(2, kiln("inspect").code());
        assertEquals(2, kiln("conformance", tmp.toString(), "--bogus").code());
        assertEquals(2, kiln("run", "m.onnx", "--input", "novalue").code());
    }

    @Test void missingModelFileIsATypedError() {
        Result r = kiln("inspect", tmp.resolve("absent.onnx").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("absent.onnx"), r.err());
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(dst);
                else Files.copy(p, dst);
            }
        }
    }
}
