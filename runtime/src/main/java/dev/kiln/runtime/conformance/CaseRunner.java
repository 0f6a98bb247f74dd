package dev.kiln.runtime.conformance;

import dev.kiln.graph.Graph;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.OpRegistry;
import dev.kiln.runtime.IoInfo;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.Session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs one test folder: {@code model.onnx} with every {@code test_data_set_*} beside it. Inputs
 * ({@code input_<i>.pb}) bind to the model's non-initializer inputs in order, outputs ({@code output_<j>.pb})
 * to its outputs in order.
 */
final class CaseRunner {
    private static final Pattern INDEXED = Pattern.compile("(input|output)_(\\d+)\\.pb");

    static final String OUT_OF_MEMORY = "out of memory";

    private CaseRunner() {}

    /** The test's outcome; {@code label[0]} receives the op label as soon as the model is loaded. */
    static TestResult run(Path testDir, ConformanceRunner.Options options, OpRegistry registry, ModelIo io,
                          OpLabels labels, String[] label) {
        String name = testDir.getFileName().toString();
        long t0 = System.nanoTime();
        Graph graph = null;
        try (LoadedModel model = io.load(testDir.resolve("model.onnx"))) {
            graph = model.graph();
            label[0] = labels.label(name, graph);
            List<ValueType> declared = new ArrayList<>();
            for (Value v : graph.outputs()) declared.add(v.type());
            if (options.checkTypes()) forgetDeclaredOutputTypes(graph);
            String failure;
            try (Session s = Session.of(graph, options.session(), registry)) {
                failure = runDataSets(testDir, s, io, declared, options.checkTypes());
            }
            return result(name, label[0], failure == null ? TestStatus.PASS : TestStatus.FAIL, failure, t0);
        } catch (UnsupportedOperatorException e) {
            return result(name, labels.label(name, graph), TestStatus.UNSUPPORTED, e.getMessage(), t0);
        } catch (OutOfMemoryError e) {
            return result(name, labels.label(name, graph), TestStatus.FAIL, OUT_OF_MEMORY, t0);
        } catch (RuntimeException | StackOverflowError e) {
            String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
            return result(name, labels.label(name, graph), TestStatus.FAIL, msg, t0);
        }
    }

    private static TestResult result(String name, String op, TestStatus status, String message, long t0) {
        return new TestResult(name, op, status, message, (System.nanoTime() - t0) / 1_000_000);
    }

    /** So inference must derive output types itself instead of inheriting the model's declarations. */
    private static void forgetDeclaredOutputTypes(Graph g) {
        for (Value v : g.outputs()) if (v.producer() != null) v.setType(ValueType.UNKNOWN);
    }

    /**
     * Null when every data set matches, else the first difference. Expected outputs are read as the model
     * declares them; with {@code checkTypes}, each output is also checked against its inferred type.
     */
    private static String runDataSets(Path testDir, Session s, ModelIo io, List<ValueType> declared, boolean checkTypes) {
        List<Path> sets = list(testDir, p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("test_data_set_"));
        if (sets.isEmpty()) return "no test_data_set_* folder";
        for (Path set : sets) {
            List<Path> inFiles = indexed(set, "input");
            List<Path> outFiles = indexed(set, "output");
            List<IoInfo> ins = s.inputs();
            if (inFiles.size() > ins.size())
                return set.getFileName() + ": " + inFiles.size() + " input files but the model has " + ins.size() + " inputs";
            Map<String, Object> feed = new LinkedHashMap<>();
            for (int i = 0; i < inFiles.size(); i++)
                feed.put(ins.get(i).name(), io.readValue(inFiles.get(i), ins.get(i).type()));
            Map<String, Object> actual = s.runValues(feed);
            List<IoInfo> outs = s.outputs();
            if (outFiles.size() != outs.size())
                return set.getFileName() + ": " + outFiles.size() + " output files but the model has " + outs.size() + " outputs";
            for (int j = 0; j < outs.size(); j++) {
                Object expected = io.readValue(outFiles.get(j), declared.get(j));
                Object got = actual.get(outs.get(j).name());
                String diff = ValueComparator.compare(expected, got);
                if (diff != null) return set.getFileName() + " output '" + outs.get(j).name() + "': " + diff;
                String typeDiff = checkTypes ? TypeCheck.mismatch(outs.get(j).type(), got) : null;
                if (typeDiff != null) return "type inference of output '" + outs.get(j).name() + "': " + typeDiff;
            }
        }
        return null;
    }

    /** {@code prefix_<i>.pb} files in index order; a gap ends the list. */
    private static List<Path> indexed(Path dir, String prefix) {
        Map<Integer, Path> byIndex = new java.util.TreeMap<>();
        for (Path p : list(dir, Files::isRegularFile)) {
            Matcher m = INDEXED.matcher(p.getFileName().toString());
            if (m.matches() && m.group(1).equals(prefix)) byIndex.put(Integer.parseInt(m.group(2)), p);
        }
        List<Path> out = new ArrayList<>();
        for (int i = 0; byIndex.containsKey(i); i++) out.add(byIndex.get(i));
        return out;
    }

    static List<Path> list(Path dir, java.util.function.Predicate<Path> keep) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(keep).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
