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

import static org.junit.jupiter.api.Assertions.*;

/** {@code kiln inspect --plan / --graph / --shape} on shared ONNX node tests. */
class InspectPlanTest {
    @TempDir Path tmp;

    record Result(int code, String out, String err) {}

    static Result kiln(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String model(String test) {
        String shared = System.getProperty("kiln.shared");
        Path p = shared == null ? null : Path.of(shared, "onnx-backend", "node", test, "model.onnx");
        Assumptions.assumeTrue(p != null && Files.isRegularFile(p), "shared ONNX node tests not available");
        return p.toString();
    }

    @Test void planPrintsPeakAndNaiveBytes() {
        Result r = kiln("inspect", model("test_softsign_example_expanded_ver18"), "--plan", "--opt-level", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("memory plan (O0)") && r.out().contains("peak arena") && r.out().contains("no two live values overlap"), r.out());
    }

    @Test void graphDrawsFusedNodesInColour() throws Exception {
        Path dot = tmp.resolve("g.dot");
        Result r = kiln("inspect", model("test_softsign_example_expanded_ver18"), "--graph", dot.toString(), "--opt-level", "2");
        assertEquals(0, r.code(), r.err());
        String text = Files.readString(dot);
        assertTrue(text.startsWith("digraph") && text.contains("fillcolor=orange") && text.contains("FusedElementwise"), text);
    }

    @Test void svgNeedsGraphvizOrSaysSo() throws Exception {
        Path svg = tmp.resolve("g.svg");
        Result r = kiln("inspect", model("test_add"), "--graph", svg.toString());
        if (r.code() == 0) assertTrue(Files.readString(svg).contains("<svg"), "dot wrote no SVG");
        else {
            assertTrue(r.err().contains("Graphviz") && Files.isRegularFile(tmp.resolve("g.svg.dot")), r.err());
        }
    }

    @Test void badShapeOptionsAreUsageErrors() {
        String m = model("test_add");
        assertNotEquals(0, kiln("inspect", m, "--plan", "--shape", "nosuch=1x2").code());
        assertNotEquals(0, kiln("inspect", m, "--plan", "--shape", "x=3x4").code());      // rank 3 declared
        assertNotEquals(0, kiln("inspect", m, "--plan", "--shape", "x=3xAx5").code());
        assertNotEquals(0, kiln("inspect", m, "--graph", tmp.resolve("g.png").toString()).code());
        Result ok = kiln("inspect", m, "--plan", "--shape", "x=3x4x5");
        assertEquals(0, ok.code(), ok.err());
    }
}
