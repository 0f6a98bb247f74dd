package dev.kiln.runtime.cpu;

import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every permutation of random shapes (including strided inputs) against element-by-element permuted views. */
class TransposeKernelTest {
    @Provide Arbitrary<long[]> shape() { return TensorGen.shape(0, 5); }

    @Property(tries = 200)
    void matchesPermutedView(@ForAll("shape") long[] shape, @ForAll long seed, @ForAll boolean view) {
        Random r = new Random(seed);
        Tensor x = TensorGen.randomView(r, view, shape);
        List<Integer> p = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) p.add(i);
        Collections.shuffle(p, r);
        int[] perm = p.stream().mapToInt(Integer::intValue).toArray();
        Tensor got = TransposeKernel.transpose(x, perm);
        Tensor want = x.permute(perm);
        assertArrayEquals(want.shape().dims(), got.shape().dims());
        for (long i = 0; i < want.numel(); i++) assertEquals(want.getFloat(i), got.getFloat(i), 0f);
    }
}
