package dev.kiln.runtime.cli;

import java.io.PrintStream;
import java.util.List;

/** `kiln conformance`: run an ONNX backend node-test folder and report pass/fail per op. */
final class ConformanceCommand implements Command {
    @Override public String name() { return "conformance"; }
    @Override public String summary() { return "run an ONNX backend node-test folder and report pass/fail per op"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) {
        err.println("kiln conformance: not available in this build yet");
        return 1;
    }
}
