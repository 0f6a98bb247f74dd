package dev.kiln.runtime.conformance;

import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A value always matches itself; moving one element past the tolerance is always caught, at that index. */
class ValueComparatorProperties {
    @Provide Arbitrary<float[]> arrays() {
        Arbitrary<Float> f = Arbitraries.oneOf(Arbitraries.floats().between(-1e6f, 1e6f),
                Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE));
        return f.array(float[].class).ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 300) void everyValueMatchesItsCopy(@ForAll("arrays") float[] v) {
        Tensor t = Tensor.of(v, v.length);
        assertNull(ValueComparator.compare(t, t.copy()));
    }

    @Property(tries = 300) void aPerturbationBeyondToleranceIsReportedAtItsIndex(@ForAll("arrays") float[] v,
                                                                                  @ForAll @IntRange(min = 0, max = 39) int at) {
        int i = at % v.length;
        if (!Float.isFinite(v[i])) v[i] = 1f;
        Tensor expected = Tensor.of(v, v.length);
        float[] w = v.clone();
        double tol = ValueComparator.ATOL + ValueComparator.RTOL * Math.abs(v[i]);
        w[i] = (float) (v[i] + 4 * tol + Math.ulp(v[i]) * 4);
        String d = ValueComparator.compare(expected, Tensor.of(w, w.length));
        assertNotNull(d);
        assertTrue(d.contains("flat index " + firstDiff(v, w)), d);
    }

    private static int firstDiff(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) if (Float.compare(a[i], b[i]) != 0) return i;
        return -1;
    }
}
