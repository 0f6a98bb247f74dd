package dev.kiln.tensor;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Tolerance comparison of two tensors with the ONNX backend-test semantics, which every conformance and kernel
 * test in Kiln uses so that "passes here" means "passes the ONNX suite".
 *
 * <p>Rules: dtype and shape must match exactly (no broadcasting); element {@code i} matches when
 * {@code |actual - expected| <= atol + rtol * |expected|} (numpy's {@code assert_allclose}, tolerance relative to
 * the expected value); NaN matches NaN; an infinity matches only the same infinity; string tensors must be equal
 * element by element. Integer and bool tensors are compared on their exact 64-bit values, and the difference
 * of unequal ones is computed exactly, so large int64 and uint64 values are not blurred by a detour through
 * double; the tolerance still applies to that difference, as in numpy. Layout does not matter: elements are compared in logical row-major order.
 */
public final class AllClose {
    /** Tolerances of the ONNX backend node tests (see shared/onnx-backend/README). */
    public static final double ONNX_RTOL = 1e-3, ONNX_ATOL = 1e-7;

    private AllClose() {}

    /**
     * The outcome of a comparison.
     *
     * @param ok           every element matched (and shape and dtype agree)
     * @param mismatches   number of elements outside tolerance (0 when shape or dtype differ: nothing was compared)
     * @param firstIndex   multi-index of the first mismatching element, or null
     * @param maxAbsError  largest {@code |actual - expected|} over elements compared numerically (NaN pairs skipped)
     * @param maxRelError  largest {@code |actual - expected| / |expected|} over the same elements
     * @param message      "ok" or a readable description of what differs
     */
    public record Result(boolean ok, long mismatches, long[] firstIndex, double maxAbsError, double maxRelError,
                         String message) {
        @Override public String toString() { return message; }
    }

    public static Result allclose(Tensor expected, Tensor actual) {
        return allclose(expected, actual, ONNX_RTOL, ONNX_ATOL);
    }

    public static Result allclose(Tensor expected, Tensor actual, double rtol, double atol) {
        if (rtol < 0 || atol < 0 || Double.isNaN(rtol) || Double.isNaN(atol))
            throw new IllegalArgumentException("tolerances must be non-negative: rtol=" + rtol + ", atol=" + atol);
        if (expected.dtype() != actual.dtype())
            return fail("dtype mismatch: expected " + describe(expected) + ", actual " + describe(actual));
        if (!expected.shape().equals(actual.shape()))
            return fail("shape mismatch: expected " + describe(expected) + ", actual " + describe(actual));
        DType dt = expected.dtype();
        long n = expected.numel();
        if (dt == DType.STRING) return compareStrings(expected, actual, n);

        boolean integral = dt.isInteger() || dt == DType.BOOL;
        long mismatches = 0, first = -1;
        double maxAbs = 0, maxRel = 0, firstE = 0, firstAbs = 0;
        for (long i = 0; i < n; i++) {
            double e, a, abs;
            boolean match;
            if (integral) {
                long le = expected.getLong(i), la = actual.getLong(i);
                if (le == la) continue;
                e = expected.getDouble(i);
                a = actual.getDouble(i);
                // Exact difference: int64 neighbours near 2^63 are equal as doubles but must still differ.
                abs = exact(la, dt).subtract(exact(le, dt)).abs().doubleValue();
                match = abs <= atol + rtol * Math.abs(e);
            } else {
                e = expected.getDouble(i);
                a = actual.getDouble(i);
                if (Double.isNaN(e) || Double.isNaN(a)) {
                    match = Double.isNaN(e) && Double.isNaN(a);
                    if (match) continue;
                    abs = Double.NaN;
                } else if (Double.isInfinite(e) || Double.isInfinite(a)) {
                    match = e == a;
                    abs = match ? 0 : Double.POSITIVE_INFINITY;
                } else {
                    abs = Math.abs(a - e);
                    match = abs <= atol + rtol * Math.abs(e);
                }
            }
            if (!Double.isNaN(abs)) {
                maxAbs = Math.max(maxAbs, abs);
                if (abs > 0) maxRel = Math.max(maxRel, e == 0 ? Double.POSITIVE_INFINITY : abs / Math.abs(e));
            }
            if (!match) {
                if (mismatches++ == 0) { first = i; firstE = e; firstAbs = abs; }
            }
        }
        if (mismatches == 0) return new Result(true, 0, null, maxAbs, maxRel, "ok");
        long[] idx = unravel(first, expected.shape());
        String msg = String.format(
                "not close (rtol=%s, atol=%s): %d of %d elements of %s differ; first at %s: expected %s, actual %s "
                        + "(abs err %s, rel err %s); max abs err %s, max rel err %s",
                num(rtol), num(atol), mismatches, n, describe(expected), Arrays.toString(idx),
                show(expected, first), show(actual, first), num(firstAbs),
                num(firstE == 0 ? (firstAbs == 0 ? 0 : Double.POSITIVE_INFINITY) : firstAbs / Math.abs(firstE)),
                num(maxAbs), num(maxRel));
        return new Result(false, mismatches, idx, maxAbs, maxRel, msg);
    }

    /** Throws an {@link AssertionError} carrying the failure message unless the tensors are close. */
    public static void assertAllClose(Tensor expected, Tensor actual, double rtol, double atol) {
        Result r = allclose(expected, actual, rtol, atol);
        if (!r.ok()) throw new AssertionError(r.message());
    }

    /** {@link #assertAllClose(Tensor, Tensor, double, double)} with the ONNX backend-test tolerances. */
    public static void assertAllClose(Tensor expected, Tensor actual) {
        assertAllClose(expected, actual, ONNX_RTOL, ONNX_ATOL);
    }

    private static BigInteger exact(long v, DType dt) {
        return dt == DType.U64 ? new BigInteger(Long.toUnsignedString(v)) : BigInteger.valueOf(v);
    }

    private static Result compareStrings(Tensor expected, Tensor actual, long n) {
        long mismatches = 0, first = -1;
        for (long i = 0; i < n; i++) {
            if (!expected.getString(i).equals(actual.getString(i)) && mismatches++ == 0) first = i;
        }
        if (mismatches == 0) return new Result(true, 0, null, 0, 0, "ok");
        long[] idx = unravel(first, expected.shape());
        String msg = String.format("not equal: %d of %d strings of %s differ; first at %s: expected \"%s\", actual \"%s\"",
                mismatches, n, describe(expected), Arrays.toString(idx), expected.getString(first), actual.getString(first));
        return new Result(false, mismatches, idx, 0, 0, msg);
    }

    private static Result fail(String message) {
        return new Result(false, 0, null, Double.NaN, Double.NaN, message);
    }

    /** Row-major multi-index of flat index {@code i}. */
    static long[] unravel(long i, Shape shape) {
        long[] idx = new long[shape.rank()];
        for (int d = shape.rank() - 1; d >= 0; d--) {
            long n = shape.dim(d);
            idx[d] = i % n;
            i /= n;
        }
        return idx;
    }

    private static String describe(Tensor t) { return t.dtype() + "" + t.shape(); }

    /** An element as it should be read: integers exactly (uint64 unsigned), floats as doubles. */
    private static String show(Tensor t, long i) {
        DType dt = t.dtype();
        if (dt == DType.U64) return Long.toUnsignedString(t.getLong(i));
        if (dt.isInteger() || dt == DType.BOOL) return Long.toString(t.getLong(i));
        // Narrow floats print as float so that 0.1f reads "0.1", not its double expansion.
        return dt == DType.F64 ? num(t.getDouble(i)) : Float.toString(t.getFloat(i));
    }

    private static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }
}
