package dev.kiln.runtime.docs;

import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.runtime.backend.Backend;
import dev.kiln.runtime.backend.Backends;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Generates {@code docs/OPERATORS.md}: every op of {@link OpRegistry#standard()} with its domain and the opset
 * versions its definitions start at, and which backends run it with their own kernels. The table is derived
 * from the code, never edited by hand; a test fails when the checked-in file is stale.
 *
 * <p>Regenerate: {@code mvn -pl tests -am verify -Dtest=OperatorsDocTest -Dkiln.regen=true
 * -Dsurefire.failIfNoSpecifiedTests=false}, or run this class's {@code main} with the output path.
 */
public final class OperatorsDoc {
    /** Backend columns, in order; a column is blank for a backend that is not installed. */
    private static final List<String> BACKEND_COLUMNS = List.of("cpu", "cuda", "hip");

    private OperatorsDoc() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/OPERATORS.md");
        if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, generate());
        System.out.println("wrote " + out);
    }

    /** The document for the standard registry and the backends on the class path. */
    public static String generate() {
        Map<String, Set<String>> claims = new LinkedHashMap<>();
        Map<String, Backend> all = Backends.all();
        for (String b : BACKEND_COLUMNS) claims.put(b, all.containsKey(b) ? all.get(b).optimizedOps() : Set.of());
        return generate(OpRegistry.standard(), claims);
    }

    /** A backend names ai.onnx ops by op type alone, other domains' as {@code domain::OpType}. */
    private static boolean claims(Set<String> ops, OpSchema s) {
        return ops.contains(s.domain() + "::" + s.opType()) || (s.domain().isEmpty() && ops.contains(s.opType()));
    }

    /** {@code optimized}: per backend column, the ops it runs with its own kernels (see {@link Backend#optimizedOps}). */
    static String generate(OpRegistry registry, Map<String, Set<String>> optimized) {
        Map<String, List<OpSchema>> byOp = new LinkedHashMap<>();
        for (OpSchema s : registry.all()) byOp.computeIfAbsent(s.domain() + "::" + s.opType(), k -> new ArrayList<>()).add(s);
        StringBuilder sb = new StringBuilder();
        sb.append("# Operators\n\n");
        sb.append("Generated from `OpRegistry.standard()` by `dev.kiln.runtime.docs.OperatorsDoc`; do not edit by hand.\n");
        sb.append("Regenerate with `mvn -B -pl tests -am verify -Dtest=OperatorsDocTest -Dkiln.regen=true "
                + "-Dsurefire.failIfNoSpecifiedTests=false`.\n\n");
        sb.append(byOp.size()).append(" operators, ").append(registry.all().size()).append(" versioned definitions. ");
        sb.append("*Opset versions* are the versions at which an op's definition changed; each applies up to the next. ");
        sb.append("Every op has a scalar reference kernel (the correctness oracle); ✓ in a backend column means that "
                + "backend runs the op with its own kernels (other ops fall back to the reference kernel).\n\n");
        sb.append("| Op | Domain | Opset versions | Reference |");
        for (String b : BACKEND_COLUMNS) sb.append(' ').append(b.equals("cpu") ? "CPU" : b.toUpperCase(java.util.Locale.ROOT)).append(" |");
        sb.append("\n|---|---|---|:-:|");
        for (int i = 0; i < BACKEND_COLUMNS.size(); i++) sb.append(":-:|");
        sb.append('\n');
        for (Map.Entry<String, List<OpSchema>> e : byOp.entrySet()) {
            OpSchema first = e.getValue().get(0);
            List<String> versions = new ArrayList<>();
            for (OpSchema s : e.getValue()) versions.add(Integer.toString(s.sinceVersion()));
            sb.append("| ").append(first.opType()).append(" | ").append(first.domain().isEmpty() ? "ai.onnx" : first.domain())
                    .append(" | ").append(String.join(", ", versions)).append(" | ✓ |");
            for (String b : BACKEND_COLUMNS) sb.append(claims(optimized.getOrDefault(b, Set.of()), first) ? " ✓ |" : "  |");
            sb.append('\n');
        }
        return sb.toString();
    }
}
