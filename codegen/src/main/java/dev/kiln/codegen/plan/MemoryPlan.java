package dev.kiln.codegen.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * Where every computed value lives in one arena. {@code peakBytes} is the arena size; {@code naiveBytes} is what
 * giving every value its own buffer would take (both with 64-byte-aligned sizes). Values that share storage
 * because one is computed in place over the other name it in {@code inPlaceOf}.
 */
public record MemoryPlan(List<Slot> slots, long peakBytes, long naiveBytes) {
    public static final long ALIGN = 64;

    /** One value's placement: {@code [offset, offset + bytes)} during steps {@code [start, end]}. */
    public record Slot(String value, long offset, long bytes, int start, int end, String inPlaceOf) {}

    public MemoryPlan { slots = List.copyOf(slots); }

    /** Conflicts: pairs live at the same time whose byte ranges intersect, other than legal in-place pairs. */
    public List<String> conflicts() {
        List<String> out = new ArrayList<>();
        for (int a = 0; a < slots.size(); a++) {
            Slot x = slots.get(a);
            if (x.offset() % ALIGN != 0) out.add(x.value() + " at unaligned offset " + x.offset());
            if (x.offset() + x.bytes() > peakBytes) out.add(x.value() + " ends past the arena");
            for (int b = a + 1; b < slots.size(); b++) {
                Slot y = slots.get(b);
                if (x.bytes() == 0 || y.bytes() == 0) continue;
                boolean time = x.start() <= y.end() && y.start() <= x.end();
                boolean space = x.offset() < y.offset() + y.bytes() && y.offset() < x.offset() + x.bytes();
                if (!time || !space) continue;
                if (inPlacePair(x, y) || inPlacePair(y, x)) continue;
                out.add(x.value() + " " + range(x) + " and " + y.value() + " " + range(y) + " overlap while both live");
            }
        }
        return out;
    }

    /** {@code w} was written in place over {@code r} by the step that last reads {@code r}: they meet at one step. */
    private static boolean inPlacePair(Slot r, Slot w) {
        return r.value().equals(w.inPlaceOf()) && r.offset() == w.offset() && r.end() == w.start();
    }

    private static String range(Slot s) {
        return "[" + s.offset() + "," + (s.offset() + s.bytes()) + ")@[" + s.start() + "," + s.end() + "]";
    }
}
