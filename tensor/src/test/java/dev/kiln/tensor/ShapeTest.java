package dev.kiln.tensor;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ShapeTest {
    @Test
    void broadcastFollowsNumpy() {
        assertEquals(Shape.of(2, 3, 4), Shape.broadcast(Shape.of(3, 1), Shape.of(2, 1, 4)));
        assertThrows(IllegalArgumentException.class, () -> Shape.broadcast(Shape.of(2), Shape.of(3)));
    }

    @Test
    void overflowIsAnError() {
        assertThrows(ArithmeticException.class, () -> Shape.of(1L << 40, 1L << 40));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(-1));
    }

    @Property
    void broadcastWithOnesIsIdentity(@ForAll @IntRange(min = 0, max = 7) int a, @ForAll @IntRange(min = 0, max = 7) int b) {
        Shape s = Shape.of(a, b);
        assertEquals(s, Shape.broadcast(s, Shape.of(1, 1)));
        assertEquals(s, Shape.broadcast(Shape.SCALAR, s));
    }
}
