package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.graph.rewrite.Pattern;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Facts the fusion rules check: constant values (initializers or Constant nodes, whichever the clean-up passes
 * left), static dtypes and ranks, and attribute values with their ONNX defaults.
 */
final class FuseUtil {
    private FuseUtil() {}

    static final String DOMAIN = "dev.kiln";

    /** The constant data of {@code v}: its initializer data, or the value of the Constant node producing it. */
    static Tensor constant(Value v) {
        if (v == null) return null;
        if (v.constant() != null) return v.constant();
        Node p = v.producer();
        if (p == null || !p.domain().isEmpty() || !p.opType().equals("Constant")) return null;
        Attribute a = p.attribute("value");
        if (a != null && a.kind() == Attribute.Kind.TENSOR) return a.asTensor();
        a = p.attribute("value_float");
        if (a != null) return Tensor.scalar(DType.F32, a.asFloat());
        return null;
    }

    /** The single value of a one-element float constant, or NaN when {@code v} is not one. */
    static double scalar(Value v) {
        Tensor t = constant(v);
        if (t == null || t.numel() != 1 || !t.dtype().isFloatingPoint()) return Double.NaN;
        return t.getDouble(0);
    }

    /** True when {@code v} is a one-element float constant within a relative 1e-5 of {@code want}. */
    static boolean isScalar(Value v, double want) {
        double x = scalar(v);
        return !Double.isNaN(x) && Math.abs(x - want) <= 1e-5 * Math.max(1.0, Math.abs(want));
    }

    /** A pattern leaf matching a one-element float constant close to {@code want}. */
    static Pattern scalarNear(String name, double want) {
        return Pattern.any(name).where(v -> isScalar(v, want));
    }

    /** A pattern leaf matching any one-element float constant. */
    static Pattern anyScalar(String name) {
        return Pattern.any(name).where(v -> !Double.isNaN(scalar(v)));
    }

    static TensorType tensorType(Value v) { return v != null && v.type() instanceof TensorType t ? t : null; }

    /** True when the static type says f32 (the fast kernels' type; other float types keep the unfused graph). */
    static boolean isF32(Value v) {
        TensorType t = tensorType(v);
        return t != null && t.dtype() == DType.F32;
    }

    /** The static rank, or -1 when unknown. */
    static int rank(Value v) {
        TensorType t = tensorType(v);
        return t == null || !t.hasRank() ? -1 : t.rank();
    }

    static long[] ints(Node n, String attr) {
        Attribute a = n.attribute(attr);
        return a == null || a.kind() != Attribute.Kind.INTS ? null : a.asInts();
    }

    static long intAttr(Node n, String attr, long dflt) {
        Attribute a = n.attribute(attr);
        return a == null || a.kind() != Attribute.Kind.INT ? dflt : a.asInt();
    }

    static boolean hasPerm(Node n, long... perm) { return Arrays.equals(ints(n, "perm"), perm); }

    /**
     * True when {@code small} broadcast against {@code big} leaves big's shape unchanged: small's rank is no
     * larger and each of its dims is a known 1 or equal to big's aligned dim.
     */
    static boolean broadcastsInto(Value small, Value big) {
        TensorType s = tensorType(small), b = tensorType(big);
        if (s == null || b == null || !s.hasRank() || !b.hasRank() || s.rank() > b.rank()) return false;
        List<Dim> sd = s.dims(), bd = b.dims();
        int off = bd.size() - sd.size();
        for (int i = 0; i < sd.size(); i++) {
            Dim x = sd.get(i), y = bd.get(off + i);
            if (x instanceof Dim.Known k && k.value() == 1) continue;
            if (!x.equals(y) || x instanceof Dim.Unknown) return false;
        }
        return true;
    }

    /** True when {@code small} is a per-last-axis vector for {@code big}: all dims 1 but the last, which matches. */
    static boolean isLastAxisVector(Value small, Value big) {
        TensorType s = tensorType(small);
        if (s == null || !s.hasRank() || s.rank() == 0 || !broadcastsInto(small, big)) return false;
        for (int i = 0; i < s.rank() - 1; i++) if (!(s.dims().get(i) instanceof Dim.Known k && k.value() == 1)) return false;
        return true;
    }

    /** The type of the pattern root's output, for the replacement (types were inferred before optimization). */
    static ValueType typeOf(Value root) { return root.type() == null ? ValueType.UNKNOWN : root.type(); }
}
