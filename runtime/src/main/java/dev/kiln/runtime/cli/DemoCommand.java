package dev.kiln.runtime.cli;

import java.io.PrintStream;
import java.util.List;

/** `kiln demo`: embed built-in sentences with all-MiniLM-L6-v2 and print their similarity. */
final class DemoCommand implements Command {
    @Override public String name() { return "demo"; }
    @Override public String summary() { return "embed built-in sentences with all-MiniLM-L6-v2 and print their similarity"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) {
        err.println("kiln demo: not available in this build yet");
        return 1;
    }
}
