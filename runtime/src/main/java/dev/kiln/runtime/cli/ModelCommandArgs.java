package dev.kiln.runtime.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Arguments of the model commands (inspect, run, conformance, compile): positionals plus {@code --name value}
 * options, some repeatable. Unknown options are usage errors, so typos never pass silently.
 */
final class ModelCommandArgs {
    final List<String> positional = new ArrayList<>();
    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final Set<String> flags = new java.util.HashSet<>();

    /** {@code valued}: options that take a value; {@code switches}: boolean flags. */
    static ModelCommandArgs parse(List<String> args, Set<String> valued, Set<String> switches) {
        ModelCommandArgs a = new ModelCommandArgs();
        for (int i = 0; i < args.size(); i++) {
            String s = args.get(i);
            if (s.startsWith("--")) {
                String name = s, value = null;
                int eq = s.indexOf('=');
                if (eq > 0) { name = s.substring(0, eq); value = s.substring(eq + 1); }
                if (switches.contains(name) && value == null) { a.flags.add(name); continue; }
                if (!valued.contains(name)) throw new UsageException("unknown option " + name);
                if (value == null) {
                    if (i + 1 >= args.size()) throw new UsageException(name + " needs a value");
                    value = args.get(++i);
                }
                a.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                a.positional.add(s);
            }
        }
        return a;
    }

    String get(String name) {
        List<String> v = options.get(name);
        return v == null ? null : v.get(v.size() - 1);
    }

    List<String> all(String name) { return options.getOrDefault(name, List.of()); }

    boolean flag(String name) { return flags.contains(name); }

    int intOption(String name, int dflt) {
        String v = get(name);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be an integer, got '" + v + "'");
        }
    }

    String onlyPositional(String what) {
        if (positional.size() != 1) throw new UsageException("expected exactly one " + what + (positional.isEmpty() ? "" : ", got " + positional));
        return positional.get(0);
    }
}
