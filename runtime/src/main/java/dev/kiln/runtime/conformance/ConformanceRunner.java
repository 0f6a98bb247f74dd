package dev.kiln.runtime.conformance;

import dev.kiln.ops.OpRegistry;
import dev.kiln.runtime.SessionOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Runs a folder of ONNX backend-style tests ({@code DIR/<test>/model.onnx} + {@code test_data_set_*}) and
 * reports each test's status. Used by {@code kiln conformance} and the conformance ratchet test.
 *
 * <p>Each test runs on its own daemon thread and is abandoned (interrupted, which the interpreter honours between
 * nodes) when it exceeds the time limit: a Java thread cannot be killed, and a runaway kernel must not stall the
 * whole suite. {@code jobs} tests run at once; with more than one job, tests that timed out or ran out of memory
 * are retried alone at the end.
 */
public final class ConformanceRunner {

    /**
     * @param jobs       tests run concurrently (at least 1)
     * @param timeoutMs  per-test limit, load included
     * @param filter     run only tests whose folder name this finds (null for all)
     * @param session    options for each test's session (backend, opt level)
     * @param checkTypes also fail a test whose outputs contradict the types inference derives for them without
     *                   the model's declared output types
     */
    public record Options(int jobs, long timeoutMs, Pattern filter, SessionOptions session, boolean checkTypes) {
        public Options {
            if (jobs < 1) throw new IllegalArgumentException("jobs must be >= 1");
            if (timeoutMs < 1) throw new IllegalArgumentException("timeoutMs must be >= 1");
            if (session == null) session = SessionOptions.defaults().withThreads(1);
        }

        public Options(int jobs, long timeoutMs, Pattern filter, SessionOptions session) {
            this(jobs, timeoutMs, filter, session, false);
        }

        public static Options defaults() {
            return new Options(Math.max(1, Runtime.getRuntime().availableProcessors()), 10_000, null,
                    SessionOptions.defaults().withThreads(1), false);
        }

        public Options withJobs(int n) { return new Options(n, timeoutMs, filter, session, checkTypes); }
        public Options withTimeoutMs(long ms) { return new Options(jobs, ms, filter, session, checkTypes); }
        public Options withFilter(Pattern p) { return new Options(jobs, timeoutMs, p, session, checkTypes); }
        public Options withSession(SessionOptions s) { return new Options(jobs, timeoutMs, filter, s, checkTypes); }
        public Options withCheckTypes(boolean on) { return new Options(jobs, timeoutMs, filter, session, on); }
    }

    private final Options options;
    private final OpRegistry registry;
    private final ModelIo io;

    /** Runs ONNX test folders with the standard op registry. */
    public ConformanceRunner(Options options) { this(options, OpRegistry.standard(), ModelIo.ONNX); }

    /** With a custom registry and file reader (tests of the runner itself, extension op sets). */
    public ConformanceRunner(Options options, OpRegistry registry, ModelIo io) {
        this.options = options;
        this.registry = registry;
        this.io = io;
    }

    /**
     * The test folders of {@code suite} (those holding a model.onnx) that pass the filter, by name; a folder that
     * is itself a test (holds model.onnx) is a suite of one.
     */
    public List<Path> discover(Path suite) {
        if (!Files.isDirectory(suite)) throw new IllegalArgumentException("not a directory: " + suite);
        if (Files.isRegularFile(suite.resolve("model.onnx"))) return List.of(suite);
        List<Path> out = new ArrayList<>();
        for (Path p : CaseRunner.list(suite, Files::isDirectory)) {
            if (!Files.isRegularFile(p.resolve("model.onnx"))) continue;
            if (options.filter() != null && !options.filter().matcher(p.getFileName().toString()).find()) continue;
            out.add(p);
        }
        return out;
    }

    public ConformanceReport run(Path suite) { return run(suite, r -> { }); }

    /** Runs every test; {@code progress} sees each result as it completes (from worker threads). */
    public ConformanceReport run(Path suite, Consumer<TestResult> progress) {
        List<Path> tests = discover(suite);
        OpLabels labels = OpLabels.forSuite(suite);
        TestResult[] results = new TestResult[tests.size()];
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        Runnable coordinator = () -> {
            for (int i; (i = next.getAndIncrement()) < tests.size(); ) {
                results[i] = runOne(tests.get(i), labels);
                synchronized (progress) { progress.accept(results[i]); }
            }
        };
        List<Thread> coordinators = new ArrayList<>();
        for (int j = 0; j < Math.min(options.jobs(), Math.max(1, tests.size())); j++)
            coordinators.add(Thread.ofPlatform().name("kiln-conformance-" + j).daemon().start(coordinator));
        for (Thread c : coordinators) {
            try {
                c.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running conformance tests", e);
            }
        }
        if (options.jobs() > 1) retryAlone(tests, results, labels);
        return new ConformanceReport(suite.toString(), Arrays.asList(results), (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Runs tests that timed out or ran out of memory once more, one at a time: with several jobs they compete for
     * cores and heap, and a ratchet must not flake because two heavy tests met.
     */
    private void retryAlone(List<Path> tests, TestResult[] results, OpLabels labels) {
        for (int i = 0; i < results.length; i++) {
            TestResult r = results[i];
            boolean resourceFailure = r.status() == TestStatus.TIMEOUT
                    || (r.status() == TestStatus.FAIL && r.message().equals(CaseRunner.OUT_OF_MEMORY));
            if (!resourceFailure) continue;
            TestResult again = runOne(tests.get(i), labels);
            results[i] = again.status() == TestStatus.PASS ? again
                    : new TestResult(again.name(), again.op(), again.status(), again.message() + " (also when run alone)", again.millis());
        }
    }

    private TestResult runOne(Path test, OpLabels labels) {
        String name = test.getFileName().toString();
        String[] label = {null};
        TestResult[] box = {null};
        long t0 = System.nanoTime();
        Thread worker = Thread.ofPlatform().name("kiln-test-" + name).daemon().stackSize(16 << 20).unstarted(() -> {
            try {
                box[0] = CaseRunner.run(test, options, registry, io, labels, label);
            } catch (Throwable t) {   // last resort: a worker must always leave a result
                box[0] = new TestResult(name, labels.label(name, null), TestStatus.FAIL, t.toString(), 0);
            }
        });
        worker.start();
        try {
            worker.join(options.timeoutMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            worker.interrupt();
            String op = label[0] != null ? label[0] : labels.label(name, null);
            return new TestResult(name, op, TestStatus.TIMEOUT, "no result within " + options.timeoutMs() + " ms",
                    (System.nanoTime() - t0) / 1_000_000);
        }
        return box[0];
    }
}
