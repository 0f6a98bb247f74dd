package dev.kiln.runtime.cli;

import dev.kiln.graph.text.IrParser;
import dev.kiln.graph.text.IrPrinter;
import dev.kiln.runtime.embed.ModelStore;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.kiln.runtime.cli.ModelCommandsTest.kiln;
import static org.junit.jupiter.api.Assertions.*;

/** `kiln compile` on all-MiniLM-L6-v2 (skipped when the model cannot be resolved offline). */
class CompileCommandTest {
    @TempDir Path tmp;
    static Path model;

    @BeforeAll static void resolve() throws Exception {
        try {
            model = ModelStore.miniLm(System.err).model();
        } catch (ModelStore.UnavailableException e) {
            Assumptions.abort("all-MiniLM-L6-v2 cannot be resolved: " + e.getMessage());
        }
    }

    /** "before" and "after" columns of one op in the histogram table. */
    private static int[] counts(String out, String op) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(op) + "\\s+(\\d+)\\s+(\\d+)").matcher(out);
        assertTrue(m.find(), op + " missing from\n" + out);
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    @Test void o1FoldsTheConstantsAndShapeChainsAndDumpsParseableIr() throws Exception {
        ModelCommandsTest.Result r = kiln("compile", model.toString(), "--opt-level", "1", "--dump-ir", tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(new int[] {146, 0}, counts(r.out(), "Constant"), r.out());
        assertEquals(0, counts(r.out(), "Concat")[1], r.out());
        assertTrue(counts(r.out(), "Shape")[1] <= 1, "only the position-ids slice needs the run-time sequence length\n" + r.out());
        assertEquals(48, counts(r.out(), "MatMul")[1], "clean-ups keep every real op");
        assertTrue(r.out().contains("constant-folding") && r.out().contains("yes"), r.out());
        List<Path> dumps;
        try (Stream<Path> s = Files.list(tmp)) { dumps = s.sorted().toList(); }
        assertEquals("000-input.ir", dumps.get(0).getFileName().toString());
        assertTrue(dumps.size() > 6, "one dump per executed pass: " + dumps);
        // Large weights are printed by type only, so the dumps read back with zero-filled stand-ins.
        for (Path d : List.of(dumps.get(0), dumps.get(dumps.size() - 1))) {
            String text = Files.readString(d);
            assertEquals(text, IrPrinter.print(IrParser.parse(text, IrParser.Options.ZERO_FILL)), d.toString());
        }
    }

    @Test void disabledPassesAndLevelZeroChangeNothing() {
        ModelCommandsTest.Result off = kiln("compile", model.toString(), "--disable-pass", "constant-folding,shape-simplification,bogus");
        assertEquals(0, off.code(), off.err());
        // Without folding, CSE still merges the equal Constant nodes, but none becomes an initializer.
        int[] constants = counts(off.out(), "Constant");
        assertTrue(constants[1] > 0 && constants[1] < constants[0], off.out());
        assertArrayEquals(new int[] {24, 24}, counts(off.out(), "Concat"), off.out());
        assertFalse(Pattern.compile("(?m)^\\d+\\s+constant-folding").matcher(off.out()).find(), off.out());
        assertTrue(off.err().contains("--disable-pass bogus"), off.err());
        ModelCommandsTest.Result o0 = kiln("compile", model.toString(), "--opt-level", "0");
        assertTrue(o0.out().contains("no passes ran"), o0.out());
        assertEquals(2, kiln("compile", model.toString(), "--opt-level", "7").code());
    }
}
