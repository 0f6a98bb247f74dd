package dev.kiln.runtime.cpu;

import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Gather on every axis with negative indices, against index arithmetic on views. */
class GatherKernelTest {
    @Provide Arbitrary<long[]> shape() { return TensorGen.shape(1, 4).filter(s -> s[0] > 0 && java.util.Arrays.stream(s).allMatch(d -> d > 0)); }

    @Property(tries = 150)
    void gathersAnyAxis(@ForAll("shape") long[] shape, @ForAll @IntRange(min = 0, max = 3) int idxRank, @ForAll long seed, @ForAll boolean view) {
        Random r = new Random(seed);
        Tensor data = TensorGen.randomView(r, view, shape);
        int axis = r.nextInt(shape.length);
        long dim = data.shape().dim(axis);
        long[] idims = new long[idxRank];
        for (int i = 0; i < idxRank; i++) idims[i] = r.nextInt(3);
        int count = 1;
        for (long d : idims) count *= (int) d;
        long[] idx = new long[count];
        for (int i = 0; i < count; i++) idx[i] = r.nextLong(-dim, dim);
        Tensor indices = Tensor.ofLongs(idx, idims);
        Tensor got = GatherKernel.gather(data, indices, axis - (r.nextBoolean() ? shape.length : 0));
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= data.shape().dim(i);
        for (int i = axis + 1; i < shape.length; i++) inner *= data.shape().dim(i);
        assertEquals(outer * count * inner, got.numel());
        long at = 0;
        for (long o = 0; o < outer; o++)
            for (long v : idx)
                for (long in = 0; in < inner; in++, at++)
                    assertEquals(data.getFloat((o * dim + (v < 0 ? v + dim : v)) * inner + in), got.getFloat(at), 0f);
    }

    @Property(tries = 20)
    void outOfRangeIsRejected(@ForAll @IntRange(min = 1, max = 5) int n, @ForAll boolean high) {
        Tensor data = Tensor.of(new float[n], n);
        Tensor bad = Tensor.ofLongs(new long[] {high ? n : -n - 1}, 1);
        assertThrows(IllegalArgumentException.class, () -> GatherKernel.gather(data, bad, 0));
    }
}
