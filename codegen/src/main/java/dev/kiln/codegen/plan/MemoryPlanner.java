package dev.kiln.codegen.plan;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType.TensorType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static memory planning: liveness intervals, then in-place chains (an elementwise node may write its output
 * over an input of the same shape and dtype that it reads last), then greedy-by-size placement with best fit
 * into gaps (TFLite's strategy): buffers from largest to smallest each take the smallest gap between buffers
 * already placed that overlap it in time, else the lowest offset above them. Offsets and sizes are 64-byte
 * aligned (cache lines, and the widest vector loads).
 *
 * <p>The executor does not allocate from this plan yet; it is computed and validated so peak memory can be
 * known before anything runs ({@code kiln inspect --plan}).
 */
public final class MemoryPlanner {
    private MemoryPlanner() {}

    /** Ops whose output element i depends only on input element i (when the input is not broadcast). */
    static final Set<String> ELEMENTWISE = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Neg", "Abs",
            "Sqrt", "Exp", "Log", "Tanh", "Sin", "Cos", "Reciprocal", "Relu", "Sigmoid", "Erf", "Floor", "Ceil",
            "LeakyRelu", "Elu", "Gelu", "HardSigmoid", "Softplus", "Clip", "Where", "Identity", "FusedElementwise");

    /** A buffer: one value, or an in-place chain of values sharing storage. */
    private static final class Buffer {
        final List<Liveness.Interval> members = new ArrayList<>();
        final List<String> inPlaceOf = new ArrayList<>();
        long bytes;
        int start, end;
        long offset;
    }

    public static MemoryPlan plan(Graph g) { return plan(g, true); }

    public static MemoryPlan plan(Graph g, boolean inPlace) {
        List<Liveness.Interval> intervals = Liveness.of(g);
        Map<Value, Liveness.Interval> byValue = new IdentityHashMap<>();
        for (Liveness.Interval iv : intervals) byValue.put(iv.value(), iv);
        Map<Value, Buffer> bufferOf = new IdentityHashMap<>();
        List<Buffer> buffers = new ArrayList<>();
        long naive = 0;
        for (Liveness.Interval iv : intervals) {
            naive += align(iv.bytes());
            Node producer = iv.value().producer();
            Buffer reuse = inPlace ? inPlaceCandidate(producer, iv, byValue, bufferOf) : null;
            if (reuse != null) {
                reuse.members.add(iv);
                reuse.inPlaceOf.add(reuse.members.get(reuse.members.size() - 2).value().name());
                reuse.end = Math.max(reuse.end, iv.end());
                bufferOf.put(iv.value(), reuse);
                continue;
            }
            Buffer b = new Buffer();
            b.members.add(iv);
            b.inPlaceOf.add(null);
            b.bytes = align(iv.bytes());
            b.start = iv.start();
            b.end = iv.end();
            bufferOf.put(iv.value(), b);
            buffers.add(b);
        }
        long peak = place(buffers);
        List<MemoryPlan.Slot> slots = new ArrayList<>();
        for (Liveness.Interval iv : intervals) {
            Buffer b = bufferOf.get(iv.value());
            int k = b.members.indexOf(iv);
            slots.add(new MemoryPlan.Slot(iv.value().name(), b.offset, iv.bytes(), iv.start(), iv.end(), b.inPlaceOf.get(k)));
        }
        return new MemoryPlan(slots, peak, naive);
    }

    /**
     * The buffer of an input this node may overwrite: an elementwise node, an input computed by a node (not a
     * graph input or weight) of the same byte size, shape and dtype, whose last reader is this node, and which
     * is the newest member of its chain (so the chain stays a sequence of one-step handovers).
     */
    private static Buffer inPlaceCandidate(Node n, Liveness.Interval out, Map<Value, Liveness.Interval> byValue, Map<Value, Buffer> bufferOf) {
        if (n == null || !ELEMENTWISE.contains(n.opType()) || n.outputs().size() != 1) return null;
        for (Value in : n.inputs()) {
            Liveness.Interval iv = in == null ? null : byValue.get(in);
            if (iv == null || iv.end() != out.start() || iv.bytes() != out.bytes()) continue;
            if (!(in.type() instanceof TensorType a) || !(out.value().type() instanceof TensorType b)) continue;
            if (a.dtype() != b.dtype() || !a.dims().equals(b.dims())) continue;
            if (n.inputs().indexOf(in) != n.inputs().lastIndexOf(in)) continue;   // read twice: keep it simple
            Buffer buf = bufferOf.get(in);
            if (buf.members.getLast().value() != in) continue;
            return buf;
        }
        return null;
    }

    /** Greedy by size, best-fit gaps; returns the arena size. */
    private static long place(List<Buffer> buffers) {
        List<Buffer> order = new ArrayList<>(buffers);
        order.sort(Comparator.comparingLong((Buffer b) -> -b.bytes).thenComparingInt(b -> b.start));
        List<Buffer> placed = new ArrayList<>();
        long peak = 0;
        for (Buffer b : order) {
            if (b.bytes == 0) { b.offset = 0; continue; }
            List<Buffer> live = new ArrayList<>();
            for (Buffer p : placed) if (p.start <= b.end && b.start <= p.end) live.add(p);
            live.sort(Comparator.comparingLong(p -> p.offset));
            long best = -1, bestGap = Long.MAX_VALUE, cursor = 0;
            for (Buffer p : live) {
                long gap = p.offset - cursor;
                if (gap >= b.bytes && gap < bestGap) { best = cursor; bestGap = gap; }
                cursor = Math.max(cursor, p.offset + p.bytes);
            }
            b.offset = best >= 0 ? best : cursor;
            peak = Math.max(peak, b.offset + b.bytes);
            placed.add(b);
        }
        return peak;
    }

    static long align(long bytes) { return (bytes + MemoryPlan.ALIGN - 1) / MemoryPlan.ALIGN * MemoryPlan.ALIGN; }
}
