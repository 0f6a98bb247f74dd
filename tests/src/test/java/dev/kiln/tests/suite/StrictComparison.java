package dev.kiln.tests.suite;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;

/**
 * The backend runner's rule with integers exact: same dtype and shape, strings and integers/bools exactly,
 * floating point within {@code |got - want| <= atol + rtol * |want|} (rtol 1e-3, atol 1e-7), NaN equals NaN;
 * sequences element by element, optionals by presence and content. Unlike the production
 * {@code ValueComparator} it does not let integers differ within rtol (numpy's allclose does), so a suite that
 * compared integers exactly keeps doing so.
 */
public final class StrictComparison {
    public static final double RTOL = 1e-3, ATOL = 1e-7;

    private StrictComparison() {}

    /** Null when {@code got} matches {@code want}, else a one-line reason. */
    public static String compare(Object want, Object got) {
        if (want instanceof OptionalValue w) {
            if (!(got instanceof OptionalValue g)) {
                // An optional output holding a value may be returned bare by a producer of plain values.
                if (w.isPresent()) return compare(w.value(), got);
                return "expected an empty optional, got " + describe(got);
            }
            if (w.isPresent() != g.isPresent()) return "optional presence differs: want " + w.isPresent();
            return w.isPresent() ? compare(w.value(), g.value()) : null;
        }
        if (want instanceof TensorSequence w) {
            if (!(got instanceof TensorSequence g)) return "expected a sequence, got " + describe(got);
            if (w.size() != g.size()) return "sequence length " + g.size() + " != " + w.size();
            for (int i = 0; i < w.size(); i++) {
                String why = compare(w.get(i), g.get(i));
                if (why != null) return "element " + i + ": " + why;
            }
            return null;
        }
        Tensor w = (Tensor) want;
        if (!(got instanceof Tensor g)) return "expected a tensor, got " + describe(got);
        if (w.dtype() != g.dtype()) return "dtype " + g.dtype() + " != " + w.dtype();
        if (!w.shape().equals(g.shape())) return "shape " + g.shape() + " != " + w.shape();
        long n = w.numel();
        for (long i = 0; i < n; i++) {
            if (w.dtype() == DType.STRING) {
                if (!w.getString(i).equals(g.getString(i))) return "at " + i + ": \"" + g.getString(i) + "\" != \"" + w.getString(i) + "\"";
            } else if (w.dtype().isFloatingPoint()) {
                double a = g.getDouble(i), e = w.getDouble(i);
                if (Double.isNaN(a) && Double.isNaN(e)) continue;
                if (a == e) continue;
                if (!(Math.abs(a - e) <= ATOL + RTOL * Math.abs(e))) return "at " + i + ": " + a + " != " + e;
            } else if (g.getLong(i) != w.getLong(i)) {
                return "at " + i + ": " + g.getLong(i) + " != " + w.getLong(i);
            }
        }
        return null;
    }

    private static String describe(Object o) { return o == null ? "nothing" : o.getClass().getSimpleName(); }
}
