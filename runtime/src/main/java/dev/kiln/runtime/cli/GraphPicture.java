package dev.kiln.runtime.cli;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Draws a graph as Graphviz DOT: one box per node, edges labelled with the value's type, graph inputs and
 * outputs as ovals, weights left out (they would swamp the picture). Fused nodes (domain dev.kiln) are filled:
 * FusedElementwise orange with its program, other fused ops blue. {@code .svg} runs Graphviz {@code dot} when
 * it is installed.
 */
final class GraphPicture {
    private GraphPicture() {}

    static String dot(Graph g) {
        StringBuilder sb = new StringBuilder("digraph \"").append(esc(g.name())).append("\" {\n");
        sb.append("  rankdir=TB; node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=Helvetica, fontsize=10];\n");
        sb.append("  edge [fontname=Helvetica, fontsize=8, color=gray40];\n");
        Map<Object, String> id = new IdentityHashMap<>();
        Set<Value> weights = Collections.newSetFromMap(new IdentityHashMap<>());
        weights.addAll(g.initializers());
        for (Value v : g.inputs()) {
            if (weights.contains(v)) continue;
            String n = "in" + id.size();
            id.put(v, n);
            sb.append("  ").append(n).append(" [shape=oval, fillcolor=palegreen, label=\"").append(esc(v.name() + "\n" + v.type())).append("\"];\n");
        }
        int k = 0;
        for (Node n : g.nodes()) {
            String nid = "n" + k++;
            id.put(n, nid);
            String label = (n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType();
            String fill = "white";
            if (n.domain().equals("dev.kiln")) {
                fill = n.opType().equals("FusedElementwise") ? "orange" : "lightskyblue";
                var prog = n.attribute("program");
                if (prog != null) label += "\n" + wrap(prog.asString());
                var reduce = n.attribute("reduce");
                if (reduce != null && !reduce.asString().isEmpty()) label += "\n-> " + reduce.asString() + " over last axis";
            }
            sb.append("  ").append(nid).append(" [fillcolor=").append(fill).append(", label=\"").append(esc(label)).append("\"];\n");
            for (Value v : n.inputs()) {
                if (v == null || weights.contains(v)) continue;
                Object from = v.producer() != null && id.containsKey(v.producer()) ? v.producer() : v;
                String src = id.get(from);
                if (src == null) continue;   // captured from an enclosing graph
                sb.append("  ").append(src).append(" -> ").append(nid).append(" [label=\"").append(esc(v.type().toString())).append("\"];\n");
            }
        }
        int o = 0;
        for (Value v : g.outputs()) {
            String oid = "out" + o++;
            sb.append("  ").append(oid).append(" [shape=oval, fillcolor=lightpink, label=\"").append(esc(v.name() + "\n" + v.type())).append("\"];\n");
            String src = v.producer() != null ? id.get(v.producer()) : id.get(v);
            if (src != null) sb.append("  ").append(src).append(" -> ").append(oid).append(";\n");
        }
        return sb.append("}\n").toString();
    }

    /** Writes FILE.dot, or FILE.svg through Graphviz; returns the exit code for the command. */
    static int write(Graph g, Path file, PrintStream out, PrintStream err) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        String dot = dot(g);
        try {
            if (name.endsWith(".dot") || name.endsWith(".gv")) {
                Files.writeString(file, dot);
                out.println("wrote " + file + " (" + g.nodes().size() + " nodes)");
                return 0;
            }
            if (!name.endsWith(".svg")) throw new UsageException("--graph FILE must end in .dot or .svg, got " + file);
            Process p;
            try {
                p = new ProcessBuilder("dot", "-Tsvg", "-o", file.toString()).redirectErrorStream(true).start();
            } catch (IOException notInstalled) {
                Path fallback = file.resolveSibling(file.getFileName() + ".dot");
                Files.writeString(fallback, dot);
                err.println("kiln: SVG needs Graphviz 'dot' on the PATH, which was not found (install graphviz);"
                        + " wrote the DOT source to " + fallback + " instead");
                return 1;
            }
            try (OutputStream in = p.getOutputStream()) {
                in.write(dot.getBytes(StandardCharsets.UTF_8));
            }
            String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                err.println("kiln: Graphviz dot did not finish in 120 s");
                return 1;
            }
            if (p.exitValue() != 0) {
                err.println("kiln: Graphviz dot failed (exit " + p.exitValue() + "): " + msg.strip());
                return 1;
            }
            out.println("wrote " + file + " (" + g.nodes().size() + " nodes)");
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static String wrap(String program) {
        String body = program.substring(program.indexOf('|') + 1);
        return body.replace(";", "\n");
    }

    private static String esc(String s) { return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"); }
}
