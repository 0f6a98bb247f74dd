package dev.kiln.runtime.cli;

import java.io.PrintStream;
import java.util.List;

/** `kiln compile`: optimize a model and dump the IR after each pass. */
final class CompileCommand implements Command {
    @Override public String name() { return "compile"; }
    @Override public String summary() { return "optimize a model and dump the IR after each pass"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) {
        err.println("kiln compile: not available in this build yet");
        return 1;
    }
}
