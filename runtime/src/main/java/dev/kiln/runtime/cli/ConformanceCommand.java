package dev.kiln.runtime.cli;

import dev.kiln.runtime.conformance.ConformanceReport;
import dev.kiln.runtime.conformance.ConformanceRunner;
import dev.kiln.runtime.conformance.TestStatus;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** `kiln conformance`: run an ONNX backend-style test folder and report pass/fail/unsupported per op. */
final class ConformanceCommand implements Command {
    private static final String USAGE = "usage: kiln conformance DIR [--json FILE] [--filter REGEX] [--jobs N] [--timeout-ms N] [--backend NAME]\n"
            + "                        [--opt-level N] [--check-types] [--verbose] [--all-ops]\n"
            + "  Runs every DIR/<test>/model.onnx on each test_data_set_* beside it (ONNX backend-test layout)\n"
            + "  and compares with the expected outputs (rtol 1e-3, atol 1e-7, exact dtype and shape).\n"
            + "  --json FILE      write a per-test report (status, op, message, millis)\n"
            + "  --filter REGEX   only tests whose folder name matches\n"
            + "  --jobs N         tests run at once (default: cores); --timeout-ms N per test (default 10000)\n"
            + "  --opt-level N    optimization level of the sessions, 0..3 (default 1; results must not depend on it)\n"
            + "  --backend NAME   run on this backend (default cpu); --opt-level N  optimize each model at level N (default 1)\n"
            + "  --check-types    also fail tests whose outputs contradict the types inference derives\n"
            + "  --verbose        print every non-passing test; --all-ops  list passing ops in the table too";

    @Override public String name() { return "conformance"; }
    @Override public String summary() {
        return "run ONNX backend-style tests: kiln conformance DIR [--json FILE] [--filter REGEX] ... (--help)";
    }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (args.contains("--help") || args.contains("-h")) {
            out.println(USAGE);
            return 0;
        }
        ModelCommandArgs a = ModelCommandArgs.parse(args,
                Set.of("--json", "--filter", "--jobs", "--timeout-ms", "--backend", "--opt-level"), Set.of("--verbose", "--all-ops", "--check-types"));
        Path dir = Path.of(a.onlyPositional("test folder (kiln conformance DIR)"));
        if (!Files.isDirectory(dir)) throw new UsageException("not a directory: " + dir);
        ConformanceRunner.Options o = ConformanceRunner.Options.defaults();
        // Non-positive counts are typos, not requests for a default: reject them rather than clamp silently.
        int jobs = a.intOption("--jobs", o.jobs()), timeout = a.intOption("--timeout-ms", (int) o.timeoutMs());
        if (jobs < 1) throw new UsageException("--jobs must be at least 1, got " + jobs);
        if (timeout < 1) throw new UsageException("--timeout-ms must be at least 1, got " + timeout);
        o = o.withJobs(jobs).withTimeoutMs(timeout);
        if (a.get("--filter") != null) {
            try {
                o = o.withFilter(Pattern.compile(a.get("--filter")));
            } catch (PatternSyntaxException e) {
                throw new UsageException("--filter: " + e.getDescription());
            }
        }
        o = o.withCheckTypes(a.flag("--check-types"));
        if (a.get("--backend") != null) o = o.withSession(o.session().withBackend(a.get("--backend")));
        try {
            o = o.withSession(o.session().withOptLevel(a.intOption("--opt-level", o.session().optLevel())));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (a.get("--opt-level") != null) {
            int level = a.intOption("--opt-level", o.session().optLevel());
            if (level < 0 || level > 3) throw new UsageException("--opt-level must be 0..3, got " + level);
            o = o.withSession(o.session().withOptLevel(level));
        }
        ConformanceRunner runner = new ConformanceRunner(o);
        int total = runner.discover(dir).size();
        if (total == 0) {
            err.println("kiln conformance: no <test>/model.onnx folders in " + dir
                    + (a.get("--filter") != null ? " matching " + a.get("--filter") : ""));
            return 1;
        }
        err.println("running " + total + " tests from " + dir + " with " + o.jobs() + " jobs, " + o.timeoutMs()
                + " ms limit each, opt level " + o.session().optLevel());
        boolean verbose = a.flag("--verbose");
        int[] done = {0};
        ConformanceReport report = runner.run(dir, r -> {
            done[0]++;
            if (verbose && r.status() != TestStatus.PASS)
                err.println("  " + r.status().label() + " " + r.name() + " [" + r.op() + "]: " + r.message());
            else if (!verbose && done[0] % 200 == 0) err.println("  ... " + done[0] + "/" + total);
        });
        out.print(report.opTable(!a.flag("--all-ops")));
        out.println();
        out.println("conformance " + dir + ": " + report.summary());
        if (a.get("--json") != null) {
            Path json = Path.of(a.get("--json"));
            if (json.toAbsolutePath().getParent() != null) Files.createDirectories(json.toAbsolutePath().getParent());
            Files.writeString(json, report.toJson());
            out.println("report written to " + json);
        }
        return report.passed() == report.results().size() ? 0 : 1;
    }
}
