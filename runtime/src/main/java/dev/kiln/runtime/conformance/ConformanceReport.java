package dev.kiln.runtime.conformance;

import dev.kiln.formats.json.Json;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The results of one conformance run, with totals, a per-op breakdown and a JSON form. */
public record ConformanceReport(String suite, List<TestResult> results, long millis) {
    public ConformanceReport {
        results = List.copyOf(results);
    }

    public int count(TestStatus s) {
        int n = 0;
        for (TestResult r : results) if (r.status() == s) n++;
        return n;
    }

    public int passed() { return count(TestStatus.PASS); }

    /** Counts per op label, then per status; ops sorted by name. */
    public Map<String, Map<TestStatus, Integer>> byOp() {
        Map<String, Map<TestStatus, Integer>> out = new TreeMap<>();
        for (TestResult r : results)
            out.computeIfAbsent(r.op(), k -> new EnumMap<>(TestStatus.class)).merge(r.status(), 1, Integer::sum);
        return out;
    }

    /** One line: totals by status and the wall time. */
    public String summary() {
        return String.format("%d tests: %d pass, %d fail, %d unsupported, %d timeout (%.1f s)", results.size(),
                passed(), count(TestStatus.FAIL), count(TestStatus.UNSUPPORTED), count(TestStatus.TIMEOUT), millis / 1000.0);
    }

    /** A fixed-width table, one row per op; {@code onlyImperfect} leaves out ops whose tests all pass. */
    public String opTable(boolean onlyImperfect) {
        Map<String, Map<TestStatus, Integer>> byOp = byOp();
        int w = 4;
        for (String op : byOp.keySet()) w = Math.max(w, op.length());
        StringBuilder sb = new StringBuilder();
        String fmt = "%-" + w + "s %6s %6s %6s %6s %6s%n";
        sb.append(String.format(fmt, "op", "tests", "pass", "fail", "unsup", "tmout"));
        int hidden = 0;
        for (Map.Entry<String, Map<TestStatus, Integer>> e : byOp.entrySet()) {
            Map<TestStatus, Integer> c = e.getValue();
            int total = 0;
            for (int v : c.values()) total += v;
            int pass = c.getOrDefault(TestStatus.PASS, 0);
            if (onlyImperfect && pass == total) { hidden++; continue; }
            sb.append(String.format(fmt, e.getKey(), total, pass, c.getOrDefault(TestStatus.FAIL, 0),
                    c.getOrDefault(TestStatus.UNSUPPORTED, 0), c.getOrDefault(TestStatus.TIMEOUT, 0)));
        }
        if (hidden == byOp.size()) return "every op passes all its tests (" + hidden + " ops)\n";
        if (hidden > 0) sb.append("(").append(hidden).append(" ops with every test passing not shown)\n");
        return sb.toString();
    }

    /** Machine-readable form: suite, totals, and per test name, op, status, message, millis. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"suite\": ").append(Json.write(suite)).append(",\n");
        sb.append("  \"millis\": ").append(millis).append(",\n");
        sb.append("  \"totals\": {\"tests\": ").append(results.size());
        for (TestStatus s : TestStatus.values()) sb.append(", \"").append(s.label()).append("\": ").append(count(s));
        sb.append("},\n  \"tests\": [");
        for (int i = 0; i < results.size(); i++) {
            TestResult r = results.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"name\": ").append(Json.write(r.name()))
                    .append(", \"op\": ").append(Json.write(r.op()))
                    .append(", \"status\": ").append(Json.write(r.status().label()))
                    .append(", \"message\": ").append(Json.write(r.message()))
                    .append(", \"millis\": ").append(r.millis()).append('}');
        }
        return sb.append("\n  ]\n}\n").toString();
    }
}
