package dev.kiln.runtime.profile;

import dev.kiln.graph.Node;
import dev.kiln.ops.interp.NodeObserver;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a model's time goes, op type by op type: a {@link NodeObserver} that sums node times over any number of
 * runs, and prints a table sorted by total time. Used by `kiln bench MODEL --profile`.
 */
public final class OpProfile implements NodeObserver {
    private record Totals(LongAdder nanos, LongAdder calls) {}

    private final Map<String, Totals> byOp = new ConcurrentHashMap<>();
    private final LongAdder runs = new LongAdder();

    @Override public void executed(Node node, long nanos) {
        String key = node.domain().isEmpty() ? node.opType() : node.domain() + "." + node.opType();
        Totals t = byOp.computeIfAbsent(key, k -> new Totals(new LongAdder(), new LongAdder()));
        t.nanos().add(nanos);
        t.calls().increment();
    }

    /** Marks the end of one model run (for per-run averages). */
    public void runFinished() { runs.increment(); }

    /** One row per op type, by total time descending. */
    public record Row(String op, long calls, double millisPerRun, double share) {}

    public List<Row> rows() {
        long total = 0;
        for (Totals t : byOp.values()) total += t.nanos().sum();
        long r = Math.max(1, runs.sum());
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Totals> e : byOp.entrySet()) {
            long n = e.getValue().nanos().sum();
            rows.add(new Row(e.getKey(), e.getValue().calls().sum() / r, n / 1e6 / r, total == 0 ? 0 : (double) n / total));
        }
        rows.sort((a, b) -> Double.compare(b.millisPerRun(), a.millisPerRun()));
        return rows;
    }

    public void print(PrintStream out) {
        out.printf("%-28s %8s %12s %7s%n", "op", "calls", "ms/run", "share");
        double sum = 0;
        for (Row row : rows()) {
            out.printf("%-28s %8d %12.3f %6.1f%%%n", row.op(), row.calls(), row.millisPerRun(), 100 * row.share());
            sum += row.millisPerRun();
        }
        out.printf("%-28s %8s %12.3f%n", "total (node time)", "", sum);
    }
}
