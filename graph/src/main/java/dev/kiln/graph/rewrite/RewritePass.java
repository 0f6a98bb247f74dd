package dev.kiln.graph.rewrite;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.pass.GraphEdit;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a list of {@link RewriteRule}s to every node, first rule that fires wins, then removes what the rewrites
 * left dead. Local rewrites are data (rule lists), not imperative passes.
 */
public final class RewritePass implements Pass {
    private final String name;
    private final List<RewriteRule> rules;

    public RewritePass(String name, List<RewriteRule> rules) {
        this.name = name;
        this.rules = List.copyOf(rules);
    }

    public List<RewriteRule> rules() { return rules; }

    @Override public String name() { return name; }

    @Override public boolean run(Graph g, PassContext ctx) {
        boolean changed = false;
        Set<String> names = GraphEdit.names(g);
        for (int i = 0; i < g.nodes().size(); i++) {
            Node root = g.nodes().get(i);
            if (root.outputs().isEmpty() || root.output(0) == null || root.output(0).name().isEmpty()) continue;
            for (RewriteRule rule : rules) {
                Match m = rule.pattern().match(root.output(0));
                if (m == null || (!rule.sharedIntermediatesAllowed() && escapes(g, m, root))) continue;
                Builder b = new Builder(names, root.name().isEmpty() ? rule.name() : root.name());
                Value repl = rule.rewriter().rewrite(m, b);
                if (repl == null) continue;
                g.initializers().addAll(b.constants());
                int at = g.nodes().indexOf(root);
                g.nodes().addAll(at, b.created());
                GraphEdit.replaceAllUses(g, root.output(0), repl);
                changed = true;
                i = at + b.created().size();   // continue after the new nodes; the dead root goes in DCE
                break;
            }
        }
        if (changed) GraphEdit.removeDeadCode(g);
        return changed;
    }

    /** True when a non-root matched node has an output read outside the match (or by the graph's outputs). */
    private static boolean escapes(Graph g, Match m, Node root) {
        Map<Value, List<Node>> uses = GraphEdit.uses(g);
        List<Node> covered = new ArrayList<>(m.coveredNodes());
        for (Node n : covered) {
            if (n == root) continue;
            for (Value v : n.outputs()) {
                if (v == null || v.name().isEmpty()) continue;
                if (g.outputs().contains(v)) return true;
                for (Node reader : uses.getOrDefault(v, List.of())) if (!covered.contains(reader)) return true;
            }
        }
        return false;
    }
}
