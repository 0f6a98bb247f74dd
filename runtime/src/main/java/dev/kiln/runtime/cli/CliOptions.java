package dev.kiln.runtime.cli;

import dev.kiln.runtime.SessionOptions;

import java.util.List;

/** Option parsing shared by the subcommands: `--name value` pairs taken out of the argument list. */
final class CliOptions {
    private CliOptions() {}

    /** Removes `--name value` (or `--name=value`) from {@code args} and returns the value, or null if absent. */
    static String take(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(name)) {
                if (i + 1 >= args.size()) throw new UsageException(name + " needs a value");
                args.remove(i);
                return args.remove(i);
            }
            if (a.startsWith(name + "=")) {
                args.remove(i);
                return a.substring(name.length() + 1);
            }
        }
        return null;
    }

    static int takeInt(List<String> args, String name, int dflt) {
        String v = take(args, name);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " expects an integer, got '" + v + "'");
        }
    }

    /** --threads N, --opt-level N, --backend NAME, --verify: the session options every model command accepts. */
    static SessionOptions sessionOptions(List<String> args) {
        SessionOptions o = SessionOptions.defaults();
        try {
            o = o.withThreads(takeInt(args, "--threads", o.threads()));
            o = o.withOptLevel(takeInt(args, "--opt-level", o.optLevel()));
            String backend = take(args, "--backend");
            if (backend != null) o = o.withBackend(backend);
        } catch (IllegalArgumentException e) {
            // SessionOptions rejects --threads 0, --opt-level 9, ...: a usage error (exit 2), not a crash (exit 1).
            throw new UsageException(e.getMessage());
        }
        if (args.remove("--verify")) o = o.withVerify(true);
        return o;
    }
}
