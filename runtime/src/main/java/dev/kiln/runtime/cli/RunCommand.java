package dev.kiln.runtime.cli;

import java.io.PrintStream;
import java.util.List;

/** `kiln run`: run a model on .npy inputs and write .npy outputs. */
final class RunCommand implements Command {
    @Override public String name() { return "run"; }
    @Override public String summary() { return "run a model on .npy inputs and write .npy outputs"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) {
        err.println("kiln run: not available in this build yet");
        return 1;
    }
}
