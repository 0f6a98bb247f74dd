package dev.kiln.runtime.cli;

import java.io.PrintStream;
import java.util.List;

/** `kiln tune`: autotune kernels for this machine (kiln tune gemm --shapes ...). */
final class TuneCommand implements Command {
    @Override public String name() { return "tune"; }
    @Override public String summary() { return "autotune kernels for this machine (kiln tune gemm --shapes ...)"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) {
        err.println("kiln tune: not available in this build yet");
        return 1;
    }
}
