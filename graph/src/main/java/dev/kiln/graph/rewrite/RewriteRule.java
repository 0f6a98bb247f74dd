package dev.kiln.graph.rewrite;

import dev.kiln.graph.Value;

/**
 * pattern -> replacement. The rewriter builds replacement nodes with the {@link Builder} and returns the value
 * that replaces the pattern root, or null to decline (a check the pattern could not express failed).
 * Unless {@code sharedIntermediatesAllowed}, the rule only fires when nothing outside the match reads the match's
 * intermediate values — otherwise fusing would compute them twice.
 */
public record RewriteRule(String name, Pattern pattern, Rewriter rewriter, boolean sharedIntermediatesAllowed) {
    @FunctionalInterface
    public interface Rewriter {
        Value rewrite(Match m, Builder b);
    }

    public static RewriteRule of(String name, Pattern pattern, Rewriter rewriter) {
        return new RewriteRule(name, pattern, rewriter, false);
    }

    public RewriteRule allowingSharedIntermediates() { return new RewriteRule(name, pattern, rewriter, true); }
}
