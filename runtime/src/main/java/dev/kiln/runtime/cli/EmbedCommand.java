package dev.kiln.runtime.cli;

import java.io.PrintStream;
import java.util.List;

/** `kiln embed`: print sentence embeddings for the given texts. */
final class EmbedCommand implements Command {
    @Override public String name() { return "embed"; }
    @Override public String summary() { return "print sentence embeddings for the given texts"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) {
        err.println("kiln embed: not available in this build yet");
        return 1;
    }
}
