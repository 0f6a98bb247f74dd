package dev.kiln.codegen.opt.layout;

import dev.kiln.graph.Dim;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.DType;

import java.util.ArrayList;
import java.util.List;

/** Small helpers the layout passes share: perms, static types under a permutation. */
final class Layouts {
    private Layouts() {}

    static final String DOMAIN = "dev.kiln";
    /** NCHW -> NHWC: out dim i is in dim TO_NHWC[i]. */
    static final long[] TO_NHWC = {0, 2, 3, 1};
    /** NHWC -> NCHW. */
    static final long[] TO_NCHW = {0, 3, 1, 2};

    static ValueType.TensorType tensorType(Value v) { return v != null && v.type() instanceof ValueType.TensorType t ? t : null; }

    /** The static rank, or -1 when unknown. */
    static int rank(Value v) {
        ValueType.TensorType t = tensorType(v);
        return t == null || !t.hasRank() ? -1 : t.rank();
    }

    static boolean isF32(Value v) {
        ValueType.TensorType t = tensorType(v);
        return t != null && t.dtype() == DType.F32;
    }

    static boolean absent(Value v) { return v == null || v.name().isEmpty(); }

    /** A Transpose's explicit perm when it is a valid permutation of {@code rank} axes; null otherwise. */
    static long[] perm(Node t, int rank) {
        var a = t.attribute("perm");
        if (a == null || rank < 0) return null;
        long[] p = a.asInts();
        if (p.length != rank) return null;
        boolean[] seen = new boolean[rank];
        for (long v : p) {
            if (v < 0 || v >= rank || seen[(int) v]) return null;
            seen[(int) v] = true;
        }
        return p;
    }

    static long[] inverse(long[] p) {
        long[] q = new long[p.length];
        for (int i = 0; i < p.length; i++) q[(int) p[i]] = i;
        return q;
    }

    static int[] ints(long[] p) {
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) out[i] = (int) p[i];
        return out;
    }

    /** The type of {@code Transpose(v, perm)}: dim i is v's dim perm[i]; unranked stays unranked. */
    static ValueType permuted(ValueType t, long[] perm) {
        if (!(t instanceof ValueType.TensorType tt)) return ValueType.UNKNOWN;
        if (!tt.hasRank() || tt.rank() != perm.length) return ValueType.TensorType.unranked(tt.dtype());
        List<Dim> d = new ArrayList<>();
        for (long p : perm) d.add(tt.dims().get((int) p));
        return new ValueType.TensorType(tt.dtype(), d);
    }
}
