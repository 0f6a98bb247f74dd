package dev.kiln.runtime.cli;

import dev.kiln.runtime.SessionOptions;
import dev.kiln.runtime.embed.SentenceEmbedder;

import java.io.PrintStream;
import java.util.List;

/**
 * `kiln demo`: Kiln's main job on its default model. Embeds a few built-in sentences with all-MiniLM-L6-v2 and prints
 * their cosine-similarity matrix, so a reader sees at a glance that related sentences land close together.
 */
final class DemoCommand implements Command {
    static final List<String> SENTENCES = List.of(
            "The cat sits on the mat.",
            "A kitten is resting on a rug.",
            "Stock markets fell sharply today.",
            "Investors sold shares as prices dropped.",
            "Kiln runs neural networks in pure Java.");

    @Override public String name() { return "demo"; }
    @Override public String summary() { return "embed built-in sentences with all-MiniLM-L6-v2 and print their similarity"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        SessionOptions options = CliOptions.sessionOptions(args);
        // Anything left is a typo or a misplaced option: say so instead of silently running the whole demo.
        if (!args.isEmpty())
            throw new UsageException((args.get(0).startsWith("--") ? "unknown option " : "unexpected argument ") + args.get(0)
                    + " (usage: kiln demo [--threads N] [--opt-level N] [--backend NAME] [--verify])");
        long t0 = System.nanoTime();
        try (SentenceEmbedder embedder = SentenceEmbedder.miniLm(options, err)) {
            long t1 = System.nanoTime();
            float[][] e = embedder.embed(SENTENCES);   // the first run pays for class loading and JIT warm-up
            long t2 = System.nanoTime();
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 10; i++) {       // then a few more, timing the best, as a steady server would run
                long s = System.nanoTime();
                e = embedder.embed(SENTENCES);
                best = Math.min(best, System.nanoTime() - s);
            }
            out.println("all-MiniLM-L6-v2 sentence embeddings (384-d), backend " + embedder.session().backend()
                    + ", opt level " + options.optLevel() + ", " + options.threads() + " thread(s)");
            out.println();
            for (int i = 0; i < SENTENCES.size(); i++) out.printf("  [%d] %s%n", i, SENTENCES.get(i));
            out.println();
            out.println("cosine similarity:");
            out.print("       ");
            for (int j = 0; j < e.length; j++) out.printf("  [%d] ", j);
            out.println();
            for (int i = 0; i < e.length; i++) {
                out.printf("  [%d] ", i);
                for (float[] other : e) out.printf(" %5.3f", SentenceEmbedder.cosine(e[i], other));
                out.println();
            }
            out.println();
            out.printf("load %.0f ms, first batch %.0f ms, warm batch of %d: %.1f ms (best of 10)%n",
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6, SENTENCES.size(), best / 1e6);
        }
        return 0;
    }
}
