package dev.kiln.tests.opsshape;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The comparison of the backend runner must be able to fail: dtype, shape, value, string and structure mismatches. */
class BackendCaseTest {
    @Test void equalValuesPassAndTolerancesApply() {
        assertNull(BackendCase.compare(Tensor.of(new float[]{1, 2}, 2), Tensor.of(new float[]{1, 2.0005f}, 2)));
        assertNull(BackendCase.compare(Tensor.of(new float[]{Float.NaN}, 1), Tensor.of(new float[]{Float.NaN}, 1)));
        assertNotNull(BackendCase.compare(Tensor.of(new float[]{1, 2}, 2), Tensor.of(new float[]{1, 2.01f}, 2)));
    }

    @Test void dtypeShapeAndStringsAreExact() {
        assertNotNull(BackendCase.compare(Tensor.of(new float[]{1}, 1), Tensor.ofDoubles(new double[]{1}, 1)));
        assertNotNull(BackendCase.compare(Tensor.of(new float[]{1, 2}, 2), Tensor.of(new float[]{1, 2}, 1, 2)));
        assertNotNull(BackendCase.compare(Tensor.ofStrings(new String[]{"a"}, 1), Tensor.ofStrings(new String[]{"A"}, 1)));
        assertNotNull(BackendCase.compare(Tensor.ofLongs(new long[]{1L << 40}, 1), Tensor.ofLongs(new long[]{(1L << 40) + 1}, 1)));
    }

    @Test void sequencesAndOptionalsCompareStructurally() {
        Tensor a = Tensor.of(new float[]{1}, 1);
        TensorSequence s1 = new TensorSequence(DType.F32, List.of(a)), s2 = new TensorSequence(DType.F32, List.of(a, a));
        assertNull(BackendCase.compare(s1, s1));
        assertNotNull(BackendCase.compare(s1, s2));
        assertNotNull(BackendCase.compare(s1, a));
        assertNotNull(BackendCase.compare(OptionalValue.empty("tensor(float)"), new OptionalValue(a, "tensor(float)")));
        assertNull(BackendCase.compare(new OptionalValue(a, "tensor(float)"), new OptionalValue(a, "tensor(float)")));
    }
}
