package dev.kiln.runtime.cli;

import dev.kiln.formats.npy.Npy;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command given bad input: exit 2 for usage errors, 1 for model/input errors, one line on stderr naming the
 * problem, and never a Java stack trace or a bare exception class name. Only cases that fail before any heavy work
 * are listed (nothing here loads MiniLM or runs a benchmark).
 */
class CliBadInputTest {
    @TempDir static Path dir;
    static String model, x, y, xBadShape, xBadDtype, garbled, text;

    @BeforeAll static void files() throws IOException {
        Path shared = Path.of(System.getProperty("kiln.shared", "/work/shared"));
        model = shared.resolve("onnx-backend/node/test_add/model.onnx").toString();   // x, y: float[3,4,5]
        x = write("x.npy", Tensor.of(new float[60], 3, 4, 5));
        y = write("y.npy", Tensor.of(new float[60], 3, 4, 5));
        xBadShape = write("xs.npy", Tensor.of(new float[12], 3, 4));
        xBadDtype = write("xd.npy", Tensor.ofLongs(new long[60], 3, 4, 5));
        byte[] g = Npy.toBytes(Tensor.of(new float[60], 3, 4, 5));
        garbled = Files.write(dir.resolve("garbled.npy"), Arrays.copyOf(g, g.length - 7)).toString();
        text = Files.writeString(dir.resolve("model.txt"), "this is not a model\n").toString();
    }

    static String write(String name, Tensor t) {
        Path p = dir.resolve(name);
        Npy.write(p, t);
        return p.toString();
    }

    record Result(int rc, String out, String err) {}

    static Result run(String... argv) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int rc = Main.run(new ArrayList<>(List.of(argv)), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** Exit code {@code rc}; stderr mentions {@code mention}; no trace, no raw exception class. */
    static void expect(int rc, String mention, String... argv) {
        Result r = run(argv);
        String ctx = String.join(" ", argv) + " -> rc " + r.rc + ", stderr: " + r.err;
        assertEquals(rc, r.rc, ctx);
        assertTrue(r.err.toLowerCase().contains(mention.toLowerCase()), ctx + " (should mention '" + mention + "')");
        assertFalse(r.err.contains("\tat ") || r.err.contains("Exception") || r.err.contains("java.lang"), ctx);
        // Usage errors may print a usage block; model/input errors are one line.
        if (rc == 1) assertEquals(1, r.err.strip().lines().count(), ctx);
    }

    @Test void unknownCommandAndOptions() {
        expect(2, "unknown command", "frobnicate");
        expect(2, "--bogus", "run", model, "--bogus");
        expect(2, "--bogus", "inspect", model, "--bogus");
        expect(2, "--bogus", "compile", model, "--bogus");
        expect(2, "--bogus", "embed", "hello", "--bogus");
        expect(2, "--bogus", "demo", "--bogus");
        expect(2, "--bogus", "conformance", dir.toString(), "--bogus");
        expect(2, "--bogus", "bench", "gemm", "--bogus", "1");
        expect(2, "--bogus", "tune", "gemm", "--bogus", "1");
    }

    @Test void missingArgumentsAndValues() {
        expect(2, "MODEL", "run");
        expect(2, "MODEL", "inspect");
        expect(2, "MODEL", "compile");
        expect(2, "usage", "embed");
        expect(2, "DIR", "conformance");
        expect(2, "usage", "bench");
        expect(2, "--input needs a value", "run", model, "--input");
        expect(2, "--opt-level needs a value", "inspect", model, "--opt-level");
        expect(2, "NAME=FILE", "run", model, "--input", "x.npy");
    }

    @Test void badNumbers() {
        expect(2, "threads", "run", model, "--threads", "0", "--input", "x=" + x, "--input", "y=" + y);
        expect(2, "--threads", "run", model, "--threads", "many");
        expect(2, "opt", "run", model, "--opt-level", "9");
        expect(2, "opt", "compile", model, "--opt-level", "9");
        expect(2, "opt", "inspect", model, "--opt-level", "9");
        expect(2, "opt", "conformance", dir.toString(), "--opt-level", "-1");
        expect(2, "threads", "demo", "--threads", "0");
        expect(2, "opt", "demo", "--opt-level", "7");
        expect(2, "threads", "embed", "hi", "--threads", "-3");
        expect(2, "positive", "bench", "gemm", "--m", "-1");
        expect(2, "positive", "bench", "gemm", "--threads", "0");
        expect(2, "--batch", "bench", model, "--batch", "-1");
        expect(2, "--m", "bench", "gemm", "--m", "1e3");
        expect(2, "--jobs", "conformance", dir.toString(), "--jobs", "0");
        expect(2, "--timeout-ms", "conformance", dir.toString(), "--timeout-ms", "-5");
    }

    @Test void missingOrBadFiles() {
        expect(1, "nope.onnx", "run", dir.resolve("nope.onnx").toString(), "--input", "x=" + x);
        expect(1, "nope.onnx", "inspect", dir.resolve("nope.onnx").toString());
        expect(1, "nope.onnx", "compile", dir.resolve("nope.onnx").toString());
        expect(1, "model.txt", "inspect", text);
        expect(1, "model.txt", "run", text, "--input", "x=" + x);
        expect(1, dir.getFileName().toString(), "inspect", dir.toString());
        expect(2, "not a directory", "conformance", text);
        expect(1, "nope.npy", "run", model, "--input", "x=" + dir.resolve("nope.npy"), "--input", "y=" + y);
        expect(1, "garbled.npy", "run", model, "--input", "x=" + garbled, "--input", "y=" + y);
        expect(1, "model.txt", "run", model, "--input", "x=" + text, "--input", "y=" + y);
    }

    @Test void badNpyInputsToRun() {
        expect(1, "'x'", "run", model, "--input", "x=" + xBadShape, "--input", "y=" + y);
        expect(1, "'x'", "run", model, "--input", "x=" + xBadDtype, "--input", "y=" + y);
        expect(1, "'y'", "run", model, "--input", "x=" + x);
        expect(1, "'z'", "run", model, "--input", "x=" + x, "--input", "y=" + y, "--input", "z=" + y);
        Result ok = run("run", model, "--input", "x=" + x, "--input", "y=" + y);
        assertEquals(0, ok.rc, ok.err);
        assertTrue(ok.out.contains("float32[3, 4, 5]") || ok.out.contains("[3,4,5]") || ok.out.contains("3, 4, 5"), ok.out);
    }

    @Test void badPathsForSideOutputs() {
        expect(1, "nope.onnx", "embed", "hi", "--model", dir.resolve("nope.onnx").toString(), "--tokenizer", text);
        expect(1, "model.txt", "embed", "hi", "--model", model, "--tokenizer", text);
        Result r = run("inspect", model, "--graph", text + "/sub/g.dot");
        assertTrue(r.rc == 1 || r.rc == 2, r.err);
        assertFalse(r.err.contains("\tat ") || r.err.contains("Exception"), r.err);
        r = run("compile", model, "--dump-ir", text);
        assertTrue(r.rc == 1 || r.rc == 2, r.err);
        assertFalse(r.err.contains("\tat ") || r.err.contains("Exception"), r.err);
    }

    @Test void outputDirThatIsAFile() {
        expect(1, "model.txt", "run", model, "--input", "x=" + x, "--input", "y=" + y, "--output-dir", text);
    }
}
