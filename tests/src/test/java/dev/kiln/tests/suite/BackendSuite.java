package dev.kiln.tests.suite;

import dev.kiln.formats.onnx.OnnxModel;
import dev.kiln.formats.onnx.OnnxValues;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The one harness for the ONNX backend node tests ({@code <kiln.shared>/onnx-backend}): selects cases by op type
 * from {@code MANIFEST.tsv} (expanded variants included), loads {@code model.onnx} and {@code test_data_set_0},
 * runs the graph on the reference interpreter and compares every output with a {@link Comparison}. Each suite
 * keeps its own op table, comparison, extra checks and known-failure list; this class only does the mechanics.
 */
public final class BackendSuite {
    private BackendSuite() {}

    /** One backend node test: its directory name and the op type MANIFEST.tsv lists for it. */
    public record Case(String test, String op) {}

    /** Null when {@code actual} matches {@code expected}, else a one-line reason. */
    @FunctionalInterface
    public interface Comparison {
        String compare(Object expected, Object actual);
    }

    /** A further check once every output matched: null when it holds, else a one-line reason. */
    @FunctionalInterface
    public interface AfterRun {
        String check(Graph graph, Map<String, Object> inputs, Map<String, Object> outputs);
    }

    /** What a listed known failure means for its test. */
    public enum KnownPolicy {
        /** A known failure is skipped (an assumption); one that starts passing is printed so the list shrinks. */
        SKIP,
        /** A known failure must keep failing: one that starts passing fails the test so the list stays honest. */
        MUST_FAIL
    }

    /** {@code <kiln.shared>/onnx-backend}; surefire sets {@code kiln.shared}. */
    public static Path backendRoot() {
        return Path.of(System.getProperty("kiln.shared", "../shared"), "onnx-backend");
    }

    public static Path caseDir(String test) { return backendRoot().resolve("node").resolve(test); }

    /** Skips the calling suite (an assumption) when the backend data is not present. */
    public static void assumeData() {
        Path manifest = backendRoot().resolve("MANIFEST.tsv");
        assumeTrue(Files.isRegularFile(manifest), "no ONNX backend data at " + manifest.getParent());
    }

    /** The cases whose op type is in {@code ops}, in MANIFEST.tsv order. */
    public static List<Case> select(Set<String> ops) throws IOException {
        List<Case> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(backendRoot().resolve("MANIFEST.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            if (f.length > 1 && ops.contains(f[1])) out.add(new Case(f[0], f[1]));
        }
        return out;
    }

    /** Runs one case with no further check. */
    public static String run(Path dir, Comparison comparison) {
        return run(dir, comparison, (g, in, out) -> null);
    }

    /**
     * Loads and runs one case; null when every output matches and {@code after} holds, else a one-line reason
     * (an exception's reason starts with its simple class name, e.g. {@code UnsupportedOperatorException: ...}).
     */
    public static String run(Path dir, Comparison comparison, AfterRun after) {
        try (OnnxModel model = OnnxModel.load(dir.resolve("model.onnx"))) {
            Graph g = model.graph();
            Data data = readDataSet(g, dir);
            Map<String, Object> got = new Interpreter(g, OpRegistry.standard()).run(data.inputs());
            for (int j = 0; j < g.outputs().size(); j++) {
                Value v = g.outputs().get(j);
                String why = comparison.compare(data.expected().get(j), got.get(v.name()));
                if (why != null) return "output " + j + " (" + v.name() + "): " + why;
            }
            return after.check(g, data.inputs(), got);
        } catch (Throwable t) {
            return reason(t);
        }
    }

    /** A case's {@code test_data_set_0}: inputs by required-input name, expected outputs in graph order. */
    public record Data(Map<String, Object> inputs, List<Object> expected) {}

    /**
     * Reads {@code test_data_set_0} with formats' {@link OnnxValues#readDataSet} (outputs decoded against the
     * graph's declared output types, so read before anything rewrites them); a data set with fewer outputs than
     * the graph is an error, as reading the missing file was.
     */
    public static Data readDataSet(Graph g, Path dir) {
        OnnxValues.DataSet ds = OnnxValues.readDataSet(g, dir.resolve("test_data_set_0"));
        if (ds.outputs().size() < g.outputs().size())
            throw new IllegalStateException("data set has " + ds.outputs().size() + " outputs, the graph " + g.outputs().size());
        Map<String, Object> inputs = new LinkedHashMap<>();
        List<Value> req = g.requiredInputs();
        for (int i = 0; i < ds.inputs().size(); i++) inputs.put(req.get(i).name(), ds.inputs().get(i));
        return new Data(inputs, ds.outputs());
    }

    /** A throwable as a one-line reason: simple class name and message, cut to 400 characters. */
    public static String reason(Throwable t) {
        String m = t.getClass().getSimpleName() + ": " + t.getMessage();
        return m.length() > 400 ? m.substring(0, 400) + "…" : m;
    }

    /** Asserts a case's outcome ({@code why}, null = pass) against the suite's known failures (test -> reason). */
    public static void verdict(String test, String why, Map<String, String> known, KnownPolicy policy) {
        if (known.containsKey(test)) {
            if (policy == KnownPolicy.MUST_FAIL) {
                if (why == null) fail(test + " now passes; remove it from the known failures");
                return;
            }
            if (why == null) System.out.println("known failure now passes: " + test);
            assumeTrue(why == null, "known failure: " + known.get(test));
        } else if (why != null) {
            fail(test + ": " + why);
        }
    }

    /**
     * Known failures from a classpath resource, one a line: {@code test_name reason}; blank lines and lines
     * starting with {@code #} are ignored. A missing resource is an empty list.
     */
    public static Map<String, String> knownFailures(String resource) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (InputStream in = BackendSuite.class.getResourceAsStream(resource)) {
            if (in == null) return out;
            for (String l : new String(in.readAllBytes()).split("\n")) {
                l = l.strip();
                if (l.isEmpty() || l.startsWith("#")) continue;
                int sp = l.indexOf(' ');
                out.put(sp < 0 ? l : l.substring(0, sp), sp < 0 ? "" : l.substring(sp + 1).strip());
            }
        }
        return out;
    }
}
