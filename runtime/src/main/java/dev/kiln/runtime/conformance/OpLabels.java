package dev.kiln.runtime.conformance;

import dev.kiln.graph.Graph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Names the operator a test exercises, for the per-op breakdown: a single-node model's op type; for multi-node
 * (function-expanded) models, the op named by a {@code MANIFEST.tsv} in, or up to two levels above, the suite (column
 * {@code op_type}) or else derived from the test name, suffixed " (expanded)" so expanded variants, which test
 * other ops' kernels, are counted apart.
 */
final class OpLabels {
    private static final Pattern EXPANDED = Pattern.compile("_expanded(_ver\\d+)?$");
    private final Map<String, String> manifest;

    private OpLabels(Map<String, String> manifest) { this.manifest = manifest; }

    static OpLabels forSuite(Path dir) {
        Map<String, String> m = new HashMap<>();
        Path abs = dir.toAbsolutePath();
        Path parent = abs.getParent(), grandParent = parent == null ? null : parent.getParent();
        for (Path p : new Path[] {abs.resolve("MANIFEST.tsv"), parent == null ? null : parent.resolve("MANIFEST.tsv"),
                grandParent == null ? null : grandParent.resolve("MANIFEST.tsv")}) {
            if (p == null || !Files.isRegularFile(p)) continue;
            try {
                List<String> lines = Files.readAllLines(p);
                if (lines.isEmpty()) continue;
                List<String> header = List.of(lines.get(0).split("\t"));
                int name = header.indexOf("test_name"), op = header.indexOf("op_type");
                if (name < 0 || op < 0) continue;
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.split("\t");
                    if (f.length > Math.max(name, op)) m.putIfAbsent(f[name], f[op]);
                }
            } catch (IOException | RuntimeException e) {
                // The manifest only improves labels; a broken one falls back to names.
            }
        }
        return new OpLabels(m);
    }

    /** The label for a test; {@code graph} may be null when the model did not load. */
    String label(String testName, Graph graph) {
        boolean expanded = EXPANDED.matcher(testName).find() || (graph != null && graph.nodes().size() > 1);
        if (!expanded && graph != null && graph.nodes().size() == 1) {
            var n = graph.nodes().get(0);
            return (n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType();
        }
        String op = manifest.get(testName);
        if (op == null) op = fromName(testName);
        return expanded ? op + " (expanded)" : op;
    }

    private static String fromName(String testName) {
        String s = testName.startsWith("test_") ? testName.substring(5) : testName;
        return EXPANDED.matcher(s).replaceAll("");
    }
}
