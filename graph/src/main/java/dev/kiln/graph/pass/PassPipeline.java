package dev.kiln.graph.pass;

import dev.kiln.graph.Graph;
import dev.kiln.graph.KilnException;
import dev.kiln.graph.text.IrPrinter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of passes with XLA-style discipline: the verifier runs after every pass when asked, each pass
 * can be disabled by name, and the IR can be dumped after each pass. The pipelines per opt level are assembled in
 * one place ({@code dev.kiln.codegen.opt.Pipelines}).
 */
public final class PassPipeline {
    /** Per-pass outcome, for `kiln compile` and tests. */
    public record Step(String pass, boolean changed, int nodesBefore, int nodesAfter, long micros) {}

    /** Observes each executed pass (dumps, reports). */
    public interface Listener {
        void after(Pass pass, Graph graph, Step step);
        Listener NONE = (p, g, s) -> { };
    }

    private final String name;
    private final List<Pass> passes;

    public PassPipeline(String name, List<Pass> passes) {
        this.name = name;
        this.passes = List.copyOf(passes);
    }

    public String name() { return name; }
    public List<Pass> passes() { return passes; }

    /** Runs every enabled pass in order; returns one step per pass execution (fixed-point members included). */
    public List<Step> run(Graph graph, PassContext ctx) {
        List<Step> steps = new ArrayList<>();
        int[] counter = {0};
        Listener listener = (p, g, s) -> {
            steps.add(s);
            if (ctx.dumpDir() != null) dump(ctx, g, String.format("%03d-%s.ir", ++counter[0], p.name()));
        };
        if (ctx.dumpDir() != null) dump(ctx, graph, "000-input.ir");
        if (ctx.verify()) Verifier.verify(graph, "input of pipeline " + name);
        for (Pass p : passes) {
            if (ctx.disabled().contains(p.name())) continue;
            if (p instanceof FixedPoint fp) fp.setListener(listener);
            runOne(p, graph, ctx, p instanceof FixedPoint ? Listener.NONE : listener);
        }
        return steps;
    }

    static boolean runOne(Pass p, Graph graph, PassContext ctx, Listener listener) {
        int before = graph.nodes().size();
        long t0 = System.nanoTime();
        boolean changed;
        try {
            changed = p.run(graph, ctx);
        } catch (KilnException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KilnException("pass '" + p.name() + "' failed: " + e, e);
        }
        long micros = (System.nanoTime() - t0) / 1000;
        if (ctx.verify() && !(p instanceof FixedPoint)) Verifier.verify(graph, "after pass '" + p.name() + "'");
        listener.after(p, graph, new Step(p.name(), changed, before, graph.nodes().size(), micros));
        return changed;
    }

    private static void dump(PassContext ctx, Graph g, String file) {
        try {
            Files.createDirectories(ctx.dumpDir());
            Files.writeString(ctx.dumpDir().resolve(file), IrPrinter.print(g));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write IR dump " + file, e);
        }
    }
}
