package dev.kiln.tests.opsshape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Selects backend node tests by op type from {@code MANIFEST.tsv} (expanded variants included) and runs them.
 * {@link #main} prints per-op pass counts, for the report and for quick iteration without Maven.
 */
public final class BackendSuite {
    private BackendSuite() {}

    public record Row(String test, String op) {}

    public static List<Row> select(Path nodeRoot, Set<String> ops) throws IOException {
        List<Row> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(nodeRoot.getParent().resolve("MANIFEST.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            if (f.length > 1 && ops.contains(f[1])) out.add(new Row(f[0], f[1]));
        }
        return out;
    }

    public static void main(String[] args) throws IOException {
        Path node = Path.of(args[0]);
        Set<String> ops = args.length > 1 ? Set.of(args[1].split(",")) : OpsShapeBackendTest.OPS;
        Map<String, int[]> counts = new TreeMap<>();
        for (Row r : select(node, ops)) {
            String why = BackendCase.run(node.resolve(r.test()));
            if (why == null && Boolean.getBoolean("infer")) {
                why = BackendCase.checkInference(node.resolve(r.test()));
                if (why != null) why = "[inference] " + why;
            }
            int[] c = counts.computeIfAbsent(r.op(), k -> new int[2]);
            c[1]++;
            if (why == null) c[0]++;
            else System.out.println("FAIL " + r.test() + ": " + why);
        }
        int pass = 0, total = 0;
        for (var e : counts.entrySet()) {
            System.out.println(e.getKey() + " " + e.getValue()[0] + "/" + e.getValue()[1]);
            pass += e.getValue()[0];
            total += e.getValue()[1];
        }
        System.out.println("TOTAL " + pass + "/" + total);
    }
}
