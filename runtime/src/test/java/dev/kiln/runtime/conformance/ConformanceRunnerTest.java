package dev.kiln.runtime.conformance;

import dev.kiln.graph.ValueType;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.SessionOptions;
import dev.kiln.runtime.TestModels;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner on a folder laid out like the ONNX node suite, with a fake reader (model.onnx holds the op name,
 * .pb files hold comma-separated floats) so it runs without the importer or the standard ops.
 */
class ConformanceRunnerTest {
    @TempDir Path suite;

    /**
     * model.onnx: "binary OP", "unary OP" or "chain OP N"; value files: "1,2,3" read as float32[1,n] (or [n] when
     * the model declares rank 1), or "2x3:1,2,3,4,5,6" with an explicit shape.
     */
    static final ModelIo FAKE = new ModelIo() {
        @Override public LoadedModel load(Path model) {
            String[] spec = read(model).trim().split(" ");
            return LoadedModel.of(switch (spec[0]) {
                case "binary" -> TestModels.binary(spec[1]);
                case "chain" -> TestModels.chain(spec[1], Integer.parseInt(spec[2]));
                default -> TestModels.unary(spec[1]);
            });
        }

        @Override public Object readValue(Path file, ValueType expected) {
            String text = read(file).trim();
            if (text.contains(":")) {   // "DxD:values" gives the shape explicitly
                String[] dims = text.substring(0, text.indexOf(':')).split("x");
                String[] parts = text.substring(text.indexOf(':') + 1).split(",");
                float[] v = new float[parts.length];
                for (int i = 0; i < v.length; i++) v[i] = Float.parseFloat(parts[i]);
                long[] d = new long[dims.length];
                for (int i = 0; i < d.length; i++) d[i] = Long.parseLong(dims[i]);
                return Tensor.of(v, d);
            }
            String[] parts = text.split(",");
            float[] v = new float[parts.length];
            for (int i = 0; i < v.length; i++) v[i] = Float.parseFloat(parts[i]);
            boolean rank1 = expected instanceof ValueType.TensorType t && t.hasRank() && t.rank() == 1;
            return rank1 ? Tensor.of(v, v.length) : Tensor.of(v, 1, v.length);
        }
    };

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void test(String name, String model, String[] inputs, String output) throws IOException {
        Path dir = Files.createDirectories(suite.resolve(name));
        Files.writeString(dir.resolve("model.onnx"), model);
        Path data = Files.createDirectories(dir.resolve("test_data_set_0"));
        for (int i = 0; i < inputs.length; i++) Files.writeString(data.resolve("input_" + i + ".pb"), inputs[i]);
        Files.writeString(data.resolve("output_0.pb"), output);
    }

    private void standardSuite() throws IOException {
        test("test_add", "binary Add", new String[] {"1,2,3", "10,20,30"}, "11,22,33");
        test("test_add_close", "binary Add", new String[] {"1,2,3", "0,0,0"}, "1.0005,2,3");   // within rtol 1e-3
        test("test_add_wrong_expectation", "binary Add", new String[] {"1,2,3", "0,0,0"}, "1,2,4");
        test("test_wrong_kernel", "binary Wrong", new String[] {"1,2,3", "0,0,0"}, "1,2,3");
        test("test_boom", "unary Boom", new String[] {"1"}, "1");
        test("test_nope", "unary Nope", new String[] {"1"}, "1");
        test("test_sleepy", "unary Sleep", new String[] {"1"}, "1");
        Files.createDirectories(suite.resolve("not_a_test"));   // no model.onnx: ignored
    }

    private ConformanceRunner runner(Pattern filter) {
        var o = new ConformanceRunner.Options(2, 1_000, filter, SessionOptions.defaults().withBackend("reference").withThreads(1));
        return new ConformanceRunner(o, TestModels.registry(), FAKE);
    }

    @Test void classifiesPassFailUnsupportedAndTimeout() throws IOException {
        standardSuite();
        ConformanceReport r = runner(null).run(suite);
        Map<String, TestStatus> byName = r.results().stream().collect(Collectors.toMap(TestResult::name, TestResult::status));
        assertEquals(TestStatus.PASS, byName.get("test_add"));
        assertEquals(TestStatus.PASS, byName.get("test_add_close"));
        assertEquals(TestStatus.FAIL, byName.get("test_add_wrong_expectation"));
        assertEquals(TestStatus.FAIL, byName.get("test_wrong_kernel"));
        assertEquals(TestStatus.FAIL, byName.get("test_boom"));
        assertEquals(TestStatus.UNSUPPORTED, byName.get("test_nope"));
        assertEquals(TestStatus.TIMEOUT, byName.get("test_sleepy"));
        assertEquals(7, r.results().size(), "folders without model.onnx are not tests");
        assertEquals(2, r.passed());
        assertTrue(r.summary().startsWith("7 tests: 2 pass, 3 fail, 1 unsupported, 1 timeout"), r.summary());
    }

    @Test void failureMessagesSayWhatDiffered() throws IOException {
        standardSuite();
        ConformanceReport r = runner(Pattern.compile("wrong_expectation|boom")).run(suite);
        assertEquals(2, r.results().size());
        TestResult wrong = r.results().stream().filter(t -> t.name().equals("test_add_wrong_expectation")).findFirst().orElseThrow();
        assertTrue(wrong.message().contains("output 'z'") && wrong.message().contains("flat index 2"), wrong.message());
        TestResult boom = r.results().stream().filter(t -> t.name().equals("test_boom")).findFirst().orElseThrow();
        assertTrue(boom.message().contains("boom"), boom.message());
    }

    @Test void perOpTableAndJsonCoverEveryTest() throws IOException {
        standardSuite();
        ConformanceReport r = runner(null).run(suite);
        assertEquals(Map.of(TestStatus.PASS, 2, TestStatus.FAIL, 1), r.byOp().get("test.Add"));
        String table = r.opTable(false);
        assertTrue(table.contains("test.Add") && table.contains("test.Sleep"), table);
        String json = r.toJson();
        assertTrue(json.contains("\"name\": \"test_nope\"") && json.contains("\"status\": \"unsupported\""), json);
        assertTrue(json.contains("\"pass\": 2") && json.contains("\"timeout\": 1"), json);
    }

    @Test void checkTypesCatchesTypeRulesThatContradictTheRun() throws IOException {
        // The model declares no output type, so the wrong rule goes unnoticed unless types are checked.
        test("test_lies", "binary LiesAboutType", new String[] {"1,2,3", "1,1,1"}, "2,3,4");
        var o = new ConformanceRunner.Options(1, 5_000, null, SessionOptions.defaults().withBackend("reference"));
        assertEquals(TestStatus.PASS, new ConformanceRunner(o, TestModels.registry(), FAKE).run(suite).results().get(0).status());
        TestResult checked = new ConformanceRunner(o.withCheckTypes(true), TestModels.registry(), FAKE).run(suite).results().get(0);
        assertEquals(TestStatus.FAIL, checked.status());
        assertTrue(checked.message().contains("type inference of output 'z'") && checked.message().contains("int64"), checked.message());
    }

    @Test void aTimedOutTestStopsAtTheNextNodeInsteadOfBurningCpu() throws Exception {
        test("test_spin", "chain Spin 100", new String[] {"1"}, "1");   // 10 s of non-interruptible kernels
        var o = new ConformanceRunner.Options(1, 300, null, SessionOptions.defaults().withBackend("reference"));
        TestResult r = new ConformanceRunner(o, TestModels.registry(), FAKE).run(suite).results().get(0);
        assertEquals(TestStatus.TIMEOUT, r.status());
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (workerAlive("kiln-test-test_spin") && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(!workerAlive("kiln-test-test_spin"), "the abandoned run kept going after its timeout");
    }

    @Test void timeoutsAreRetriedAloneWhenRunningSeveralJobs() throws IOException {
        test("test_slow_once", "unary SlowOnce", new String[] {"1"}, "1:1");
        test("test_sleepy", "unary Sleep", new String[] {"1"}, "1");
        TestModels.SLOW_ONCE.set(false);
        var o = new ConformanceRunner.Options(2, 500, null, SessionOptions.defaults().withBackend("reference"));
        Map<String, TestResult> r = new ConformanceRunner(o, TestModels.registry(), FAKE).run(suite).results().stream()
                .collect(Collectors.toMap(TestResult::name, t -> t));
        assertEquals(TestStatus.PASS, r.get("test_slow_once").status(), r.get("test_slow_once").message());
        assertEquals(TestStatus.TIMEOUT, r.get("test_sleepy").status());
        assertTrue(r.get("test_sleepy").message().endsWith("(also when run alone)"), r.get("test_sleepy").message());
    }

    private static boolean workerAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    @Test void missingDataSetIsAFailureNotACrash() throws IOException {
        Path dir = Files.createDirectories(suite.resolve("test_no_data"));
        Files.writeString(dir.resolve("model.onnx"), "binary Add");
        ConformanceReport r = runner(null).run(suite);
        assertEquals(TestStatus.FAIL, r.results().get(0).status());
        assertTrue(r.results().get(0).message().contains("test_data_set"), r.results().get(0).message());
    }
}
