package dev.kiln.runtime.cli;

import dev.kiln.formats.json.Json;
import dev.kiln.runtime.SessionOptions;
import dev.kiln.runtime.embed.SentenceEmbedder;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** `kiln embed "text" ... [--json] [--model M.onnx --tokenizer T.json]`: prints one embedding per text. */
final class EmbedCommand implements Command {
    @Override public String name() { return "embed"; }
    @Override public String summary() { return "print sentence embeddings for the given texts"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        boolean json = args.remove("--json");
        String model = CliOptions.take(args, "--model");
        String tokenizer = CliOptions.take(args, "--tokenizer");
        SessionOptions options = CliOptions.sessionOptions(args);
        if (args.isEmpty()) throw new UsageException("usage: kiln embed TEXT... [--json] [--threads N] [--opt-level N]");
        for (String a : args) if (a.startsWith("--")) throw new UsageException("unknown option " + a);
        if ((model == null) != (tokenizer == null)) throw new UsageException("--model and --tokenizer go together");
        try (SentenceEmbedder embedder = model == null ? SentenceEmbedder.miniLm(options, err)
                : SentenceEmbedder.load(Path.of(model), Path.of(tokenizer), options)) {
            float[][] e = embedder.embed(args);
            if (json) {
                List<Object> rows = new ArrayList<>();
                for (int i = 0; i < e.length; i++) {
                    List<Object> v = new ArrayList<>();
                    for (float f : e[i]) v.add((double) f);
                    rows.add(java.util.Map.of("text", args.get(i), "embedding", v));
                }
                out.println(Json.write(rows));
            } else {
                for (int i = 0; i < e.length; i++) {
                    StringBuilder sb = new StringBuilder();
                    for (int d = 0; d < e[i].length; d++) sb.append(d == 0 ? "" : " ").append(String.format("%.6f", e[i][d]));
                    out.println(args.get(i));
                    out.println("  " + sb);
                }
            }
        }
        return 0;
    }
}
