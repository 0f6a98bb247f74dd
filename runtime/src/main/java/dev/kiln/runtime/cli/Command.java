package dev.kiln.runtime.cli;

import java.io.PrintStream;
import java.util.List;

/** One `kiln` subcommand. Returns the process exit code (0 ok, 1 failure, 2 usage error). */
public interface Command {
    String name();
    /** One line for `kiln --help`. */
    String summary();
    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
