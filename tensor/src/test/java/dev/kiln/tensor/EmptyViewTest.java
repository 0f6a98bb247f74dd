package dev.kiln.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Empty views may carry an offset past their segment's end; reading or copying them must still work. */
class EmptyViewTest {
    @Test
    void emptySliceAtTheEndReadsAndCopies() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor empty = t.slice(1, 3, 3, 1).slice(0, 2, 2, 1);
        assertEquals(0, empty.numel());
        assertEquals(0, empty.toFloatArray().length);
        assertEquals(0, empty.toDoubleArray().length);
        assertEquals(Shape.of(0, 0), empty.copy().shape());
        Tensor longs = Tensor.ofLongs(new long[] {1, 2, 3}, 3).slice(0, 3, 3, 1);
        assertEquals(0, longs.toLongArray().length);
        assertEquals(0, longs.contiguous().numel());
    }
}
