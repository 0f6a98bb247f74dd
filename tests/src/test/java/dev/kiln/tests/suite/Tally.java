package dev.kiln.tests.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-op pass counts of a backend suite, for reports: {@link #write} rewrites {@code target/<file>} after every
 * case (dynamic tests have no "after all" hook), {@link #print} is for a {@code main} run without Maven.
 */
public final class Tally {
    private final Map<String, int[]> perOp = new TreeMap<>();
    private final List<String> lines = new ArrayList<>();

    public synchronized void add(String test, String op, String why) {
        int[] c = perOp.computeIfAbsent(op, k -> new int[2]);
        c[1]++;
        if (why == null) c[0]++;
        lines.add(test + "\t" + op + "\t" + (why == null ? "PASS" : "FAIL\t" + why));
    }

    /** Writes {@code # op pass/total} lines, a {@code # TOTAL} line, then one line per case. */
    public synchronized void write(String file) {
        StringBuilder sb = new StringBuilder();
        int pass = 0, total = 0;
        for (var e : perOp.entrySet()) {
            sb.append("# ").append(e.getKey()).append('\t').append(e.getValue()[0]).append('/').append(e.getValue()[1]).append('\n');
            pass += e.getValue()[0];
            total += e.getValue()[1];
        }
        sb.append("# TOTAL\t").append(pass).append('/').append(total).append('\n');
        for (String l : lines) sb.append(l).append('\n');
        try {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", file), sb.toString());
        } catch (IOException ignored) {
            // The summary is a convenience; the suite's assertions are the test.
        }
    }

    /** Prints the failures, then {@code op pass/total} per op and {@code TOTAL pass/total}. */
    public synchronized void print() {
        for (String l : lines) if (!l.endsWith("\tPASS")) System.out.println("FAIL " + l);
        int pass = 0, total = 0;
        for (var e : perOp.entrySet()) {
            System.out.println(e.getKey() + " " + e.getValue()[0] + "/" + e.getValue()[1]);
            pass += e.getValue()[0];
            total += e.getValue()[1];
        }
        System.out.println("TOTAL " + pass + "/" + total);
    }
}
