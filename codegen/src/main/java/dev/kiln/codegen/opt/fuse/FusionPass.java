package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Graph;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.rewrite.RewritePass;
import dev.kiln.graph.rewrite.RewriteRule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A fusion: a list of rewrite rules (built per graph, since some depend on its opset) run by a
 * {@link RewritePass}, plus the bookkeeping fusions share — the {@code dev.kiln} opset import the fused nodes
 * need to resolve, and a count of firings per rule for reports (`kiln compile`, the MiniLM fusion test).
 */
public class FusionPass implements Pass {
    private final String name;
    private final Function<Graph, List<RewriteRule>> rules;
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    protected FusionPass(String name, Function<Graph, List<RewriteRule>> rules) {
        this.name = name;
        this.rules = rules;
    }

    @Override public String name() { return name; }

    /** Firings per rule name since this pass object was created (rules that never fired are absent). */
    public synchronized Map<String, Integer> counts() { return Map.copyOf(counts); }

    @Override public boolean run(Graph graph, PassContext ctx) {
        List<RewriteRule> counted = new ArrayList<>();
        for (RewriteRule r : rules.apply(graph)) {
            RewriteRule.Rewriter inner = r.rewriter();
            RewriteRule.Rewriter wrapped = (m, b) -> {
                var v = inner.rewrite(m, b);
                if (v != null) synchronized (this) { counts.merge(r.name(), 1, Integer::sum); }
                return v;
            };
            counted.add(new RewriteRule(r.name(), r.pattern(), wrapped, r.sharedIntermediatesAllowed()));
        }
        boolean changed = new RewritePass(name, counted).run(graph, ctx);
        if (changed) graph.opsetImports().putIfAbsent(FuseUtil.DOMAIN, 1);
        return changed;
    }

    /** The opset of the default domain the graph imports (softmax's axis default depends on it). */
    static int onnxOpset(Graph g) {
        int v = g.opset("");
        return v < 0 ? 1 : v;
    }
}
