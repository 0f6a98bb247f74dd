package dev.kiln.graph.infer;

import dev.kiln.graph.Dim;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;

import java.util.ArrayList;
import java.util.List;

/**
 * Merges an inferred type into the type a model declares for the same value, keeping the most specific
 * information of both. A dtype conflict is a contradiction (the model or the rule is wrong, and running would
 * produce values of a type nobody expects); a shape conflict only warns, as exporters often leave stale shapes.
 */
final class TypeMerge {
    private TypeMerge() {}

    static ValueType merge(ValueType declared, ValueType inferred, Value v, Node n, List<String> warnings) {
        if (declared instanceof ValueType.UnknownType) return inferred;
        if (inferred instanceof ValueType.UnknownType) return declared;
        if (declared instanceof TensorType d && inferred instanceof TensorType i) return mergeTensor(d, i, v, n, warnings);
        if (declared.getClass() != inferred.getClass()) {
            warnings.add(n.describe() + ": output '" + v.name() + "' declared " + declared + " but inferred " + inferred);
            return declared;
        }
        return inferred.equals(declared) ? declared : inferred;
    }

    private static TensorType mergeTensor(TensorType d, TensorType i, Value v, Node n, List<String> warnings) {
        if (d.dtype() != null && i.dtype() != null && d.dtype() != i.dtype())
            throw new ModelFormatException("type contradiction at node " + n.describe() + ": output '" + v.name()
                    + "' is declared " + d + " but the op produces " + i);
        var dtype = i.dtype() != null ? i.dtype() : d.dtype();
        if (!d.hasRank()) return new TensorType(dtype, i.dims());
        if (!i.hasRank()) return new TensorType(dtype, d.dims());
        if (d.rank() != i.rank()) {
            warnings.add(n.describe() + ": output '" + v.name() + "' declared " + d + " but inferred " + i + "; using inferred");
            return new TensorType(dtype, i.dims());
        }
        List<Dim> dims = new ArrayList<>();
        boolean conflict = false;
        for (int k = 0; k < d.rank(); k++) {
            Dim a = d.dims().get(k), b = i.dims().get(k);
            if (a.isKnown() && b.isKnown() && !a.equals(b)) conflict = true;
            dims.add(b.isKnown() ? b : a.isKnown() ? a : b instanceof Dim.Symbol ? b : a);
        }
        if (conflict)
            warnings.add(n.describe() + ": output '" + v.name() + "' declared " + d + " but inferred " + i + "; using inferred");
        return new TensorType(dtype, dims);
    }
}
