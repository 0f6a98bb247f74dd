package dev.kiln.tensor;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class AllCloseTest {
    @Test
    void withinToleranceIsOk() {
        Tensor e = Tensor.of(new float[]{1, 2, 1000}, 3);
        Tensor a = Tensor.of(new float[]{1.0005f, 2, 1000.9f}, 3);
        AllClose.Result r = AllClose.allclose(e, a, 1e-3, 0);
        assertTrue(r.ok(), r.message());
        assertEquals("ok", r.message());
        AllClose.assertAllClose(e, a);
    }

    @Test
    void failureMessageNamesIndexValuesAndErrors() {
        Tensor e = Tensor.of(new float[]{0, 1, 2, 3, 4, 5}, 2, 3);
        Tensor a = Tensor.of(new float[]{0, 1, 2, 3, 4.5f, 7}, 2, 3);
        AllClose.Result r = AllClose.allclose(e, a, 1e-3, 1e-7);
        assertFalse(r.ok());
        assertEquals(2, r.mismatches());
        assertArrayEquals(new long[]{1, 1}, r.firstIndex());
        assertEquals(2.0, r.maxAbsError());
        assertEquals(0.4, r.maxRelError(), 1e-12);
        String m = r.message();
        assertTrue(m.contains("2 of 6"), m);
        assertTrue(m.contains("[1, 1]"), m);
        assertTrue(m.contains("expected 4.0") && m.contains("actual 4.5"), m);
        assertTrue(m.contains("max abs err 2") && m.contains("max rel err 0.4"), m);
        AssertionError err = assertThrows(AssertionError.class, () -> AllClose.assertAllClose(e, a));
        assertEquals(m, err.getMessage());
    }

    @Test
    void toleranceIsRelativeToExpected() {
        // |a - e| <= atol + rtol * |e|: 100 vs 101 passes at rtol 0.01 only with e = 100 (limit 1.0).
        assertTrue(AllClose.allclose(Tensor.ofDoubles(new double[]{100}, 1), Tensor.ofDoubles(new double[]{101}, 1), 0.01, 0).ok());
        assertFalse(AllClose.allclose(Tensor.ofDoubles(new double[]{100}, 1), Tensor.ofDoubles(new double[]{101.0001}, 1), 0.01, 0).ok());
        assertTrue(AllClose.allclose(Tensor.ofDoubles(new double[]{0}, 1), Tensor.ofDoubles(new double[]{1e-8}, 1), 0, 1e-7).ok());
    }

    @Test
    void nanAndInfinities() {
        double nan = Double.NaN, inf = Double.POSITIVE_INFINITY;
        assertTrue(AllClose.allclose(Tensor.ofDoubles(new double[]{nan, inf, -inf}, 3), Tensor.ofDoubles(new double[]{nan, inf, -inf}, 3)).ok());
        assertFalse(AllClose.allclose(Tensor.ofDoubles(new double[]{nan}, 1), Tensor.ofDoubles(new double[]{0}, 1)).ok());
        assertFalse(AllClose.allclose(Tensor.ofDoubles(new double[]{1}, 1), Tensor.ofDoubles(new double[]{nan}, 1)).ok());
        assertFalse(AllClose.allclose(Tensor.ofDoubles(new double[]{inf}, 1), Tensor.ofDoubles(new double[]{-inf}, 1)).ok());
        AllClose.Result r = AllClose.allclose(Tensor.ofDoubles(new double[]{inf}, 1), Tensor.ofDoubles(new double[]{1e308}, 1), 1, 1);
        assertFalse(r.ok(), "infinity is never within tolerance of a finite value");
        assertTrue(r.message().contains("Infinity"), r.message());
    }

    @Test
    void shapeAndDtypeMustMatch() {
        AllClose.Result s = AllClose.allclose(Tensor.of(new float[]{1, 2}, 2), Tensor.of(new float[]{1, 2}, 1, 2));
        assertFalse(s.ok());
        assertTrue(s.message().contains("shape mismatch") && s.message().contains("float32[2]") && s.message().contains("float32[1, 2]"), s.message());
        AllClose.Result d = AllClose.allclose(Tensor.of(new float[]{1}, 1), Tensor.ofDoubles(new double[]{1}, 1));
        assertFalse(d.ok());
        assertTrue(d.message().contains("dtype mismatch"), d.message());
        assertThrows(IllegalArgumentException.class, () -> AllClose.allclose(Tensor.of(new float[]{1}, 1), Tensor.of(new float[]{1}, 1), -1, 0));
    }

    @Test
    void stringsCompareExactly() {
        Tensor e = Tensor.ofStrings(new String[]{"a", "b", "c", "d"}, 2, 2);
        assertTrue(AllClose.allclose(e, Tensor.ofStrings(new String[]{"a", "b", "c", "d"}, 2, 2)).ok());
        AllClose.Result r = AllClose.allclose(e, Tensor.ofStrings(new String[]{"a", "b", "C", "d"}, 2, 2), 1, 1);
        assertFalse(r.ok());
        assertArrayEquals(new long[]{1, 0}, r.firstIndex());
        assertTrue(r.message().contains("\"c\"") && r.message().contains("\"C\""), r.message());
    }

    @Test
    void integersCompareExactlyEvenWhereDoublesCannotTell() {
        Tensor e = Tensor.ofLongs(new long[]{Long.MAX_VALUE}, 1);
        Tensor a = Tensor.ofLongs(new long[]{Long.MAX_VALUE - 1}, 1);
        // Both are 2^63 as doubles; the comparison must still see a difference of 1.
        assertTrue(AllClose.allclose(e, e.copy(), 0, 0).ok());
        AllClose.Result r = AllClose.allclose(e, a, 0, 0);
        assertFalse(r.ok(), r.message());
        assertEquals(1.0, r.maxAbsError());
        assertTrue(AllClose.allclose(e, a, 0, 1).ok(), "a difference of 1 is within atol 1");
        Tensor u = Tensor.fromLongs(DType.U64, new long[]{-1}, 1);
        AllClose.Result ru = AllClose.allclose(u, Tensor.fromLongs(DType.U64, new long[]{-2}, 1), 0, 0);
        assertFalse(ru.ok());
        assertTrue(ru.message().contains("18446744073709551615") && ru.message().contains("18446744073709551614"), ru.message());
        Tensor i8 = Tensor.fromLongs(DType.I8, new long[]{-128, 127}, 2);
        assertFalse(AllClose.allclose(i8, Tensor.fromLongs(DType.I8, new long[]{127, 127}, 2), 0, 0).ok());
        assertFalse(AllClose.allclose(Tensor.ofBooleans(new boolean[]{true}, 1), Tensor.ofBooleans(new boolean[]{false}, 1)).ok());
    }

    @Test
    void layoutDoesNotMatterAndEmptyIsClose() {
        Tensor e = Tensor.of(new float[]{1, 3, 2, 4}, 2, 2);
        Tensor a = Tensor.of(new float[]{1, 2, 3, 4}, 2, 2).transpose(0, 1);
        assertTrue(AllClose.allclose(e, a).ok());
        assertTrue(AllClose.allclose(Tensor.of(new float[0], 0, 3), Tensor.of(new float[0], 0, 3)).ok());
        assertTrue(AllClose.allclose(Tensor.scalar(DType.F16, 1), Tensor.scalar(DType.F16, 1)).ok());
    }

    @Property(tries = 300)
    void closeIsReflexiveAndCountsMismatches(@ForAll float[] values) {
        if (values.length == 0) return;
        Tensor e = Tensor.of(values, values.length);
        assertTrue(AllClose.allclose(e, e.copy(), 0, 0).ok());
        Tensor a = e.copy();
        int changed = 0;
        for (int i = 0; i < values.length; i += 2) {
            float v = values[i];
            if (Float.isNaN(v) || Float.isInfinite(v)) continue;
            a.setFloat(i, v + Math.max(1f, Math.abs(v)));   // far outside rtol 1e-3 / atol 1e-7
            if (a.getFloat(i) != v) changed++;
        }
        AllClose.Result r = AllClose.allclose(e, a);
        assertEquals(changed, r.mismatches(), r.message());
        assertEquals(changed == 0, r.ok());
    }
}
