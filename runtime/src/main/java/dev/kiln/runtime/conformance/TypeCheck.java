package dev.kiln.runtime.conformance;

import dev.kiln.graph.Dim;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;

/**
 * Checks a statically inferred type against the value a run produced. Unknown parts of the type match anything;
 * known parts must agree exactly. Used by {@code kiln conformance --check-types} to catch wrong type rules, which
 * would otherwise stay hidden behind the types the test models declare.
 */
final class TypeCheck {
    private TypeCheck() {}

    /** Null when consistent, else what disagrees. */
    static String mismatch(ValueType inferred, Object actual) {
        if (actual == null || inferred instanceof ValueType.UnknownType) return null;
        switch (inferred) {
            case ValueType.TensorType tt -> {
                if (!(actual instanceof Tensor t)) return "inferred a tensor " + tt + ", the run produced " + actual.getClass().getSimpleName();
                if (tt.dtype() != null && tt.dtype() != t.dtype()) return "inferred " + tt + ", the run produced " + t.dtype() + t.shape();
                if (!tt.hasRank()) return null;
                if (tt.rank() != t.rank()) return "inferred " + tt + ", the run produced rank " + t.rank() + " " + t.shape();
                for (int a = 0; a < tt.rank(); a++) {
                    if (tt.dims().get(a) instanceof Dim.Known k && k.value() != t.shape().dim(a))
                        return "inferred " + tt + ", the run produced " + t.dtype() + t.shape();
                }
                return null;
            }
            case ValueType.SequenceType st -> {
                if (!(actual instanceof TensorSequence s)) return "inferred " + st + ", the run produced " + actual.getClass().getSimpleName();
                for (Tensor t : s.items()) {
                    String m = mismatch(st.element(), t);
                    if (m != null) return "sequence element: " + m;
                }
                return null;
            }
            case ValueType.OptionalType ot -> {
                Object inner = actual instanceof OptionalValue o ? o.value() : actual;
                return inner == null ? null : mismatch(ot.element(), inner);
            }
            default -> { return null; }
        }
    }
}
