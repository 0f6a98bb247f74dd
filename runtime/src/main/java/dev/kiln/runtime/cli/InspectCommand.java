package dev.kiln.runtime.cli;

import java.io.PrintStream;
import java.util.List;

/** `kiln inspect`: describe a model: inputs, outputs, opsets, op histogram, parameters. */
final class InspectCommand implements Command {
    @Override public String name() { return "inspect"; }
    @Override public String summary() { return "describe a model: inputs, outputs, opsets, op histogram, parameters"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) {
        err.println("kiln inspect: not available in this build yet");
        return 1;
    }
}
