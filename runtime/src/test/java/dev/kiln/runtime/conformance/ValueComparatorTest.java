package dev.kiln.runtime.conformance;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValueComparatorTest {
    private static Tensor f(float... v) { return Tensor.of(v, v.length); }

    @Test void toleranceIsAtolPlusRtolTimesExpected() {
        assertNull(ValueComparator.compare(f(1000f), f(1000.99f)));
        assertNotNull(ValueComparator.compare(f(1000f), f(1001.01f)));
        assertNull(ValueComparator.compare(f(0f), f(1e-8f)));
        assertNotNull(ValueComparator.compare(f(0f), f(1e-6f)));
    }

    @Test void nanMatchesOnlyNanAndInfinitiesMustBeEqual() {
        assertNull(ValueComparator.compare(f(Float.NaN), f(Float.NaN)));
        assertNotNull(ValueComparator.compare(f(Float.NaN), f(0f)));
        assertNotNull(ValueComparator.compare(f(1f), f(Float.NaN)));
        assertNull(ValueComparator.compare(f(Float.POSITIVE_INFINITY), f(Float.POSITIVE_INFINITY)));
        assertNotNull(ValueComparator.compare(f(Float.POSITIVE_INFINITY), f(Float.NEGATIVE_INFINITY)));
    }

    @Test void dtypeAndShapeMustMatchExactly() {
        String d = ValueComparator.compare(f(1f, 2f), Tensor.ofDoubles(new double[] {1, 2}, 2));
        assertTrue(d != null && d.startsWith("dtype"), d);
        String s = ValueComparator.compare(f(1f, 2f), Tensor.of(new float[] {1, 2}, 1, 2));
        assertTrue(s != null && s.startsWith("shape"), s);
    }

    @Test void stringsAreExactAndIntegersUseLongs() {
        assertNull(ValueComparator.compare(Tensor.ofStrings(new String[] {"a"}, 1), Tensor.ofStrings(new String[] {"a"}, 1)));
        assertNotNull(ValueComparator.compare(Tensor.ofStrings(new String[] {"a"}, 1), Tensor.ofStrings(new String[] {"a "}, 1)));
        long big = Long.MAX_VALUE;
        assertNull(ValueComparator.compare(Tensor.ofLongs(new long[] {big}, 1), Tensor.ofLongs(new long[] {big}, 1)));
        assertNotNull(ValueComparator.compare(Tensor.ofLongs(new long[] {5}, 1), Tensor.ofLongs(new long[] {6}, 1)));
        assertNotNull(ValueComparator.compare(Tensor.ofBooleans(new boolean[] {true}, 1), Tensor.ofBooleans(new boolean[] {false}, 1)));
    }

    @Test void sequencesAndOptionalsCompareStructurally() {
        var a = new TensorSequence(DType.F32, List.of(f(1f), f(2f, 3f)));
        assertNull(ValueComparator.compare(a, new TensorSequence(DType.F32, List.of(f(1f), f(2f, 3f)))));
        String d = ValueComparator.compare(a, new TensorSequence(DType.F32, List.of(f(1f), f(2f, 4f))));
        assertTrue(d != null && d.startsWith("sequence element 1"), d);
        assertNotNull(ValueComparator.compare(a, new TensorSequence(DType.F32, List.of(f(1f)))));
        assertNull(ValueComparator.compare(OptionalValue.empty("tensor(float)"), OptionalValue.empty("tensor(float)")));
        assertNotNull(ValueComparator.compare(OptionalValue.empty("tensor(float)"), new OptionalValue(f(1f), "tensor(float)")));
        assertNull(ValueComparator.compare(new OptionalValue(f(1f), "tensor(float)"), f(1f)));
    }
}
