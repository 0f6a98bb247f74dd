package dev.kiln.tests.suite;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The strict comparison of the backend harness must be able to fail: dtype, shape, value, string and structure mismatches. */
class StrictComparisonTest {
    @Test void equalValuesPassAndTolerancesApply() {
        assertNull(StrictComparison.compare(Tensor.of(new float[]{1, 2}, 2), Tensor.of(new float[]{1, 2.0005f}, 2)));
        assertNull(StrictComparison.compare(Tensor.of(new float[]{Float.NaN}, 1), Tensor.of(new float[]{Float.NaN}, 1)));
        assertNotNull(StrictComparison.compare(Tensor.of(new float[]{1, 2}, 2), Tensor.of(new float[]{1, 2.01f}, 2)));
    }

    @Test void dtypeShapeAndStringsAreExact() {
        assertNotNull(StrictComparison.compare(Tensor.of(new float[]{1}, 1), Tensor.ofDoubles(new double[]{1}, 1)));
        assertNotNull(StrictComparison.compare(Tensor.of(new float[]{1, 2}, 2), Tensor.of(new float[]{1, 2}, 1, 2)));
        assertNotNull(StrictComparison.compare(Tensor.ofStrings(new String[]{"a"}, 1), Tensor.ofStrings(new String[]{"A"}, 1)));
        assertNotNull(StrictComparison.compare(Tensor.ofLongs(new long[]{1L << 40}, 1), Tensor.ofLongs(new long[]{(1L << 40) + 1}, 1)));
    }

    @Test void sequencesAndOptionalsCompareStructurally() {
        Tensor a = Tensor.of(new float[]{1}, 1);
        TensorSequence s1 = new TensorSequence(DType.F32, List.of(a)), s2 = new TensorSequence(DType.F32, List.of(a, a));
        assertNull(StrictComparison.compare(s1, s1));
        assertNotNull(StrictComparison.compare(s1, s2));
        assertNotNull(StrictComparison.compare(s1, a));
        assertNotNull(StrictComparison.compare(OptionalValue.empty("tensor(float)"), new OptionalValue(a, "tensor(float)")));
        assertNull(StrictComparison.compare(new OptionalValue(a, "tensor(float)"), new OptionalValue(a, "tensor(float)")));
    }
}
