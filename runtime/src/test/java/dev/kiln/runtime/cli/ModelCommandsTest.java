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
        String ir = Files.readString(tmp.resolve("000-input.ir"));
        assertTrue(ir.contains("%sum:float32[3,4,5] = Add(%x, %y)"), ir);
        assertTrue(Files.exists(tmp.resolve("001-infer-types.ir")), "one dump per pass");
        assertTrue(r.out().contains("constant-folding") && r.out().contains("Add") && r.out().contains("before"), r.out());
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

    @Test void runReadsNpyInputsAndWritesNpyOutputs() throws Exception {
        Path dir = node("test_add");
        var x = (dev.kiln.tensor.Tensor) dev.kiln.runtime.ModelFiles.readValue(dir.resolve("test_data_set_0/input_0.pb"), null);
        var y = (dev.kiln.tensor.Tensor) dev.kiln.runtime.ModelFiles.readValue(dir.resolve("test_data_set_0/input_1.pb"), null);
        var want = (dev.kiln.tensor.Tensor) dev.kiln.runtime.ModelFiles.readValue(dir.resolve("test_data_set_0/output_0.pb"), null);
        dev.kiln.runtime.ModelFiles.writeNpy(tmp.resolve("x.npy"), x);
        dev.kiln.runtime.ModelFiles.writeNpy(tmp.resolve("y.npy"), y);
        Path outDir = tmp.resolve("out");
        Result r = kiln("run", dir.resolve("model.onnx").toString(), "--input", "x=" + tmp.resolve("x.npy"),
                "--input", "y=" + tmp.resolve("y.npy"), "--output-dir", outDir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("sum: float32[3, 4, 5] ["), r.out());
        var got = dev.kiln.runtime.ModelFiles.readNpy(outDir.resolve("sum.npy"));
        org.junit.jupiter.api.Assertions.assertArrayEquals(want.toFloatArray(), got.toFloatArray());
    }

    @Test void runWithoutInputsListsWhatTheModelNeeds() {
        Result r = kiln("run", node("test_add").resolve("model.onnx").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--input x=FILE.npy") && r.err().contains("float32[3,4,5]"), r.err());
    }

    @Test void aSingleTestFolderIsASuiteOfOne() {
        Result r = kiln("conformance", node("test_add_bcast").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("1 tests: 1 pass"), r.out());
    }

    @Test void corruptModelInASuiteIsAFailureWithTheFileNamed() throws Exception {
        Path bad = Files.createDirectories(tmp.resolve("suite2/test_corrupt"));
        Files.write(bad.resolve("model.onnx"), new byte[] {(byte) 0xff, (byte) 0xff, 0x01, 0x02, 0x03});
        Path json = tmp.resolve("r2.json");
        Result r = kiln("conformance", tmp.resolve("suite2").toString(), "--json", json.toString());
        assertEquals(1, r.code());
        String j = Files.readString(json);
        assertTrue(j.contains("\"status\": \"fail\"") && j.contains("model.onnx"), j);
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
