package dev.kiln.formats.onnx;

import dev.kiln.graph.Graph;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Loads every model and every test-data file of the ONNX backend node suite. */
class BackendSuiteLoadTest {

    static Path suite() {
        Path p = Path.of(System.getProperty("kiln.shared", "/work/shared"), "onnx-backend", "node");
        Assumptions.assumeTrue(Files.isDirectory(p), "backend suite not present at " + p);
        return p;
    }

    static List<Path> testDirs() throws IOException {
        try (Stream<Path> s = Files.list(suite())) {
            return s.filter(d -> Files.isRegularFile(d.resolve("model.onnx"))).sorted().toList();
        }
    }

    @Test
    void loadsEveryModelAndValue() throws IOException {
        List<Path> dirs = testDirs();
        int models = 0, values = 0;
        List<String> unsupported = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Path dir : dirs) {
            String test = dir.getFileName().toString();
            try (OnnxModel m = OnnxModel.load(dir.resolve("model.onnx"))) {
                models++;
                Graph g = m.graph();
                assertTrue(m.opset("") > 0 || !m.opsets().isEmpty(), test + ": no opset");
                List<Value> ins = g.requiredInputs();
                Path data = dir.resolve("test_data_set_0");
                for (int i = 0; Files.exists(data.resolve("input_" + i + ".pb")); i++) {
                    if (i >= ins.size()) { failures.add(test + ": input_" + i + ".pb has no graph input"); break; }
                    check(OnnxValues.read(data.resolve("input_" + i + ".pb"), ins.get(i).type()), ins.get(i).type(), test, failures);
                    values++;
                }
                for (int i = 0; Files.exists(data.resolve("output_" + i + ".pb")); i++) {
                    if (i >= g.outputs().size()) { failures.add(test + ": output_" + i + ".pb has no graph output"); break; }
                    ValueType t = g.outputs().get(i).type();
                    check(OnnxValues.read(data.resolve("output_" + i + ".pb"), t), t, test, failures);
                    values++;
                }
            } catch (UnsupportedOperatorException e) {
                unsupported.add(test + ": " + e.getMessage());
            } catch (RuntimeException e) {
                failures.add(test + ": " + e);
            }
        }
        System.out.println("backend suite: " + dirs.size() + " tests, " + models + " models loaded, " + values
                + " values read, " + unsupported.size() + " unsupported, " + failures.size() + " failures");
        unsupported.forEach(u -> System.out.println("  unsupported: " + u));
        failures.stream().limit(100).forEach(f -> System.out.println("  FAIL: " + f));
        if (!failures.isEmpty()) fail(failures.size() + " failures, first: " + failures.get(0));
        assertTrue(dirs.size() > 1000, "suite looks incomplete: " + dirs.size());
    }

    private static void check(Object v, ValueType t, String test, List<String> failures) {
        switch (t) {
            case ValueType.SequenceType s -> { if (!(v instanceof TensorSequence)) failures.add(test + ": expected a sequence, got " + v); }
            case ValueType.OptionalType o -> { if (!(v instanceof OptionalValue)) failures.add(test + ": expected an optional, got " + v); }
            case ValueType.TensorType tt -> {
                if (!(v instanceof Tensor x)) { failures.add(test + ": expected a tensor"); return; }
                if (tt.dtype() != null && tt.dtype() != x.dtype()) failures.add(test + ": dtype " + x.dtype() + " != declared " + tt.dtype());
                if (tt.hasRank() && tt.rank() != x.rank()) failures.add(test + ": rank " + x.rank() + " != declared " + tt.rank());
            }
            default -> { }
        }
    }
}
