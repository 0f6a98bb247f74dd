package dev.kiln.runtime.conformance;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;

/**
 * Compares a computed value with an expected one the way the ONNX backend test runner does: exact dtype and
 * shape, strings exactly, everything else {@code |actual - expected| <= atol + rtol * |expected|} with NaN equal
 * to NaN; sequences element by element; optionals by presence and content.
 */
public final class ValueComparator {
    public static final double RTOL = 1e-3;
    public static final double ATOL = 1e-7;

    private ValueComparator() {}

    /** Null when {@code actual} matches {@code expected}, else a one-line description of the first difference. */
    public static String compare(Object expected, Object actual) {
        return compare(expected, actual, RTOL, ATOL);
    }

    public static String compare(Object expected, Object actual, double rtol, double atol) {
        if (expected instanceof OptionalValue eo) {
            Object a = actual instanceof OptionalValue ao ? ao.value() : actual;
            if (eo.value() == null) return a == null ? null : "expected an empty optional, got a value";
            if (a == null) return "expected an optional with a value, got an empty one";
            return compare(eo.value(), a, rtol, atol);
        }
        if (actual instanceof OptionalValue ao && !(expected == null)) {
            if (ao.value() == null) return "expected a value, got an empty optional";
            return compare(expected, ao.value(), rtol, atol);
        }
        if (expected == null) return actual == null ? null : "expected no value, got " + what(actual);
        if (actual == null) return "expected " + what(expected) + ", got no value";
        if (expected instanceof TensorSequence es) {
            if (!(actual instanceof TensorSequence as)) return "expected " + what(expected) + ", got " + what(actual);
            if (es.size() != as.size()) return "expected a sequence of " + es.size() + " tensors, got " + as.size();
            for (int i = 0; i < es.size(); i++) {
                String d = compare(es.get(i), as.get(i), rtol, atol);
                if (d != null) return "sequence element " + i + ": " + d;
            }
            return null;
        }
        if (expected instanceof Tensor e) {
            if (!(actual instanceof Tensor a)) return "expected " + what(expected) + ", got " + what(actual);
            return compareTensors(e, a, rtol, atol);
        }
        return expected.equals(actual) ? null : "expected " + expected + ", got " + actual;
    }

    private static String compareTensors(Tensor e, Tensor a, double rtol, double atol) {
        if (e.dtype() != a.dtype()) return "dtype: expected " + e.dtype() + ", got " + a.dtype();
        if (!e.shape().equals(a.shape())) return "shape: expected " + e.shape() + ", got " + a.shape();
        long n = e.numel();
        long bad = 0;
        long first = -1;
        for (long i = 0; i < n; i++) {
            if (!elementMatches(e, a, i, rtol, atol)) {
                if (first < 0) first = i;
                bad++;
            }
        }
        if (bad == 0) return null;
        return bad + " of " + n + " elements differ; first at flat index " + first + ": expected "
                + element(e, first) + ", got " + element(a, first);
    }

    private static boolean elementMatches(Tensor e, Tensor a, long i, double rtol, double atol) {
        DType t = e.dtype();
        if (t == DType.STRING) return e.getString(i).equals(a.getString(i));
        if (t == DType.BOOL) return e.getBoolean(i) == a.getBoolean(i);
        if (t.isInteger()) {
            long x = e.getLong(i), y = a.getLong(i);
            if (x == y) return true;
            // numpy's allclose also tolerates integers within rtol (it compares in floating point).
            double dx = t == DType.U64 ? unsigned(x) : x, dy = t == DType.U64 ? unsigned(y) : y;
            return Math.abs(dy - dx) <= atol + rtol * Math.abs(dx);
        }
        double x = e.getDouble(i), y = a.getDouble(i);
        if (Double.isNaN(x) || Double.isNaN(y)) return Double.isNaN(x) && Double.isNaN(y);
        if (x == y) return true;  // equal infinities
        if (Double.isInfinite(x) || Double.isInfinite(y)) return false;
        return Math.abs(y - x) <= atol + rtol * Math.abs(x);
    }

    private static double unsigned(long v) { return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1); }

    private static String element(Tensor t, long i) {
        if (t.dtype() == DType.STRING) return "\"" + t.getString(i) + "\"";
        if (t.dtype() == DType.BOOL) return Boolean.toString(t.getBoolean(i));
        if (t.dtype().isInteger()) return Long.toString(t.getLong(i));
        return Double.toString(t.getDouble(i));
    }

    private static String what(Object x) {
        if (x instanceof Tensor t) return "tensor " + t.dtype() + t.shape();
        if (x instanceof TensorSequence s) return "sequence of " + s.size();
        if (x instanceof OptionalValue o) return o.isPresent() ? "optional value" : "empty optional";
        return x.getClass().getSimpleName();
    }
}
