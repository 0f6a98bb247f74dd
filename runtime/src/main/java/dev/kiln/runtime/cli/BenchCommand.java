package dev.kiln.runtime.cli;

import java.io.PrintStream;
import java.util.List;

/** `kiln bench`: measure latency: kiln bench MODEL ... or kiln bench gemm .... */
final class BenchCommand implements Command {
    @Override public String name() { return "bench"; }
    @Override public String summary() { return "measure latency: kiln bench MODEL ... or kiln bench gemm ..."; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) {
        err.println("kiln bench: not available in this build yet");
        return 1;
    }
}
