package dev.kiln.graph.pass;

import dev.kiln.graph.Node;
import dev.kiln.graph.OpDef;

import java.nio.file.Path;
import java.util.Set;

/**
 * What passes may consult while running.
 *
 * @param resolver   finds a node's op definition at the model's opset (for passes that check types or re-infer)
 * @param disabled   pass names to skip
 * @param verify     run the {@link Verifier} after every pass (always on in tests; `-Dkiln.verify=true`)
 * @param dumpDir    when non-null, the IR text is written there after every pass
 */
public record PassContext(OpResolver resolver, Set<String> disabled, boolean verify, Path dumpDir) {
    public PassContext {
        disabled = Set.copyOf(disabled);
    }

    /** Resolves a node to its op definition, or null when unknown. */
    @FunctionalInterface
    public interface OpResolver {
        OpDef resolve(Node node);
    }

    /** Defaults: verification from `-Dkiln.verify`, disabled passes from `-Dkiln.disablePasses=a,b`. */
    public static PassContext fromSystemProperties(OpResolver resolver) {
        String off = System.getProperty("kiln.disablePasses", "");
        Set<String> disabled = off.isBlank() ? Set.of() : Set.of(off.split("\\s*,\\s*"));
        return new PassContext(resolver, disabled, Boolean.getBoolean("kiln.verify"), null);
    }

    public PassContext withVerify(boolean on) { return new PassContext(resolver, disabled, on, dumpDir); }
    public PassContext withDumpDir(Path dir) { return new PassContext(resolver, disabled, verify, dir); }
    public PassContext withDisabled(Set<String> names) { return new PassContext(resolver, names, verify, dumpDir); }
}
