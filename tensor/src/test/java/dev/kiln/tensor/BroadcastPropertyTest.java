package dev.kiln.tensor;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Broadcasting laws over random shapes with small dims (0..3, so that compatible and incompatible pairs, unit
 * dims and empty dims are all common), checked against a from-the-definition model of numpy broadcasting.
 */
class BroadcastPropertyTest {
    @Provide
    Arbitrary<Shape> shapes() {
        return Arbitraries.longs().between(0, 3).array(long[].class).ofMaxSize(4).map(Shape::of);
    }

    /** numpy's rule, written out: right-align, each axis pair equal or one of them 1. Empty when incompatible. */
    static Optional<Shape> model(Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        long[] out = new long[r];
        for (int k = 1; k <= r; k++) {
            long x = k <= a.rank() ? a.dim(a.rank() - k) : 1;
            long y = k <= b.rank() ? b.dim(b.rank() - k) : 1;
            if (x != y && x != 1 && y != 1) return Optional.empty();
            out[r - k] = x == 1 ? y : x;
        }
        return Optional.of(Shape.of(out));
    }

    static Optional<Shape> kiln(Shape a, Shape b) {
        try {
            return Optional.of(Shape.broadcast(a, b));
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains(a.toString()) && e.getMessage().contains(b.toString()),
                    "the error names both shapes: " + e.getMessage());
            return Optional.empty();
        }
    }

    @Property(tries = 500)
    void agreesWithTheDefinition(@ForAll("shapes") Shape a, @ForAll("shapes") Shape b) {
        assertEquals(model(a, b), kiln(a, b));
    }

    @Property(tries = 500)
    void commutative(@ForAll("shapes") Shape a, @ForAll("shapes") Shape b) {
        assertEquals(kiln(a, b), kiln(b, a));
    }

    @Property(tries = 500)
    void associative(@ForAll("shapes") Shape a, @ForAll("shapes") Shape b, @ForAll("shapes") Shape c) {
        Optional<Shape> left = kiln(a, b).flatMap(ab -> kiln(ab, c));
        Optional<Shape> right = kiln(b, c).flatMap(bc -> kiln(a, bc));
        assertEquals(left, right);
        assertEquals(left, Optional.ofNullable(tryAll(a, b, c)));
    }

    private static Shape tryAll(Shape... s) {
        try { return Shape.broadcast(s); } catch (IllegalArgumentException e) { return null; }
    }

    @Property(tries = 300)
    void scalarAndOnesAreIdentities(@ForAll("shapes") Shape a) {
        assertEquals(a, Shape.broadcast(a, Shape.SCALAR));
        assertEquals(a, Shape.broadcast(Shape.SCALAR, a));
        for (int r = 0; r <= a.rank(); r++) {
            long[] ones = new long[r];
            java.util.Arrays.fill(ones, 1);
            assertEquals(a, Shape.broadcast(Shape.of(ones), a));
        }
        assertEquals(a, Shape.broadcast(a, a), "idempotent");
    }

    /** Both inputs can be expanded (as views) to the broadcast shape, and the expansion reads the right elements. */
    @Property(tries = 300)
    void operandsExpandToTheResult(@ForAll("shapes") Shape a, @ForAll("shapes") Shape b) {
        Optional<Shape> out = kiln(a, b);
        if (out.isEmpty()) return;
        Shape s = out.get();
        assertTrue(a.broadcastableTo(s) && b.broadcastableTo(s));
        Tensor ta = Tensor.allocate(DType.I64, a);
        for (long i = 0; i < ta.numel(); i++) ta.setLong(i, i);
        Tensor e = ta.expand(s);
        assertEquals(s, e.shape());
        long[] idx = new long[s.rank()];
        for (long i = 0; i < s.numel(); i++) {
            // Source element: the output index with broadcast axes pinned to 0, right-aligned onto a.
            long src = 0;
            for (int d = 0; d < a.rank(); d++) {
                int od = d + s.rank() - a.rank();
                src = src * a.dim(d) + (a.dim(d) == 1 ? 0 : idx[od]);
            }
            assertEquals(src, e.getLong(i));
            for (int d = s.rank() - 1; d >= 0; d--) { if (++idx[d] < s.dim(d)) break; idx[d] = 0; }
        }
    }
}
