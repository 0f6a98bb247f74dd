package dev.kiln.runtime;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InvalidInputException;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks a run's inputs against the model before any kernel sees them, so a caller's mistake surfaces as one
 * {@link InvalidInputException} naming the input, what the model expects and what was given — not as a kernel
 * failure deep inside the graph.
 */
final class InputValidator {
    private InputValidator() {}

    static void check(List<IoInfo> required, List<IoInfo> optional, Map<String, ?> given) {
        if (given == null) throw new InvalidInputException("inputs map is null");
        TreeSet<String> unknown = new TreeSet<>(given.keySet());
        for (IoInfo i : required) unknown.remove(i.name());
        for (IoInfo i : optional) unknown.remove(i.name());
        if (!unknown.isEmpty())
            throw new InvalidInputException("unknown input" + (unknown.size() > 1 ? "s " : " ") + quoted(unknown)
                    + "; the model's inputs are " + names(required, optional));
        TreeSet<String> missing = new TreeSet<>();
        for (IoInfo i : required) if (given.get(i.name()) == null) missing.add(i.name());
        if (!missing.isEmpty())
            throw new InvalidInputException("missing input" + (missing.size() > 1 ? "s " : " ") + quoted(missing)
                    + "; the model's inputs are " + names(required, optional));
        Map<String, Long> symbols = new HashMap<>();
        Map<String, String> symbolSource = new HashMap<>();
        for (List<IoInfo> list : List.of(required, optional)) {
            for (IoInfo info : list) {
                Object x = given.get(info.name());
                if (x != null) checkValue(info.name(), info.type(), x, symbols, symbolSource);
            }
        }
    }

    private static void checkValue(String name, ValueType expected, Object x, Map<String, Long> symbols,
                                   Map<String, String> symbolSource) {
        switch (expected) {
            case TensorType tt -> {
                if (!(x instanceof Tensor t))
                    throw new InvalidInputException("input '" + name + "': expected a tensor " + tt + ", got " + kind(x));
                checkTensor(name, tt, t, symbols, symbolSource);
            }
            case ValueType.SequenceType st -> {
                if (!(x instanceof TensorSequence seq))
                    throw new InvalidInputException("input '" + name + "': expected a sequence " + st + ", got " + kind(x));
                if (st.element() instanceof TensorType et && et.dtype() != null) {
                    for (int k = 0; k < seq.size(); k++) {
                        if (seq.get(k).dtype() != et.dtype())
                            throw new InvalidInputException("input '" + name + "' element " + k + ": expected dtype "
                                    + et.dtype() + ", got " + seq.get(k).dtype());
                    }
                }
            }
            case ValueType.OptionalType ot -> {
                Object inner = x instanceof OptionalValue o ? o.value() : x;
                if (inner != null) checkValue(name, ot.element(), inner, symbols, symbolSource);
            }
            default -> { } // unknown or map types: nothing static to check
        }
    }

    private static void checkTensor(String name, TensorType tt, Tensor t, Map<String, Long> symbols,
                                    Map<String, String> symbolSource) {
        if (tt.dtype() != null && tt.dtype() != t.dtype())
            throw new InvalidInputException("input '" + name + "': expected dtype " + tt.dtype() + " (" + tt
                    + "), got " + t.dtype() + " " + t.shape());
        if (!tt.hasRank()) return;
        if (tt.rank() != t.rank())
            throw new InvalidInputException("input '" + name + "': expected rank " + tt.rank() + " (" + tt
                    + "), got rank " + t.rank() + " " + t.shape());
        for (int a = 0; a < tt.rank(); a++) {
            Dim d = tt.dims().get(a);
            long actual = t.shape().dim(a);
            if (d instanceof Dim.Known k && k.value() != actual)
                throw new InvalidInputException("input '" + name + "': expected shape " + tt + ", got " + t.shape()
                        + " (axis " + a + " must be " + k.value() + ")");
            if (d instanceof Dim.Symbol s) {
                Long prev = symbols.putIfAbsent(s.name(), actual);
                if (prev == null) symbolSource.put(s.name(), name + " axis " + a);
                else if (prev != actual)
                    throw new InvalidInputException("input '" + name + "': dim '" + s.name() + "' (axis " + a + ") is "
                            + actual + " but was " + prev + " in " + symbolSource.get(s.name()));
            }
        }
    }

    private static String kind(Object x) {
        if (x instanceof Tensor t) return "tensor " + t.dtype() + t.shape();
        if (x instanceof TensorSequence s) return "sequence of " + s.size();
        if (x instanceof OptionalValue) return "optional";
        return x.getClass().getSimpleName();
    }

    private static String quoted(Iterable<String> names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) { if (sb.length() > 0) sb.append(", "); sb.append('\'').append(n).append('\''); }
        return sb.toString();
    }

    private static String names(List<IoInfo> required, List<IoInfo> optional) {
        StringBuilder sb = new StringBuilder("[");
        for (IoInfo i : required) { if (sb.length() > 1) sb.append(", "); sb.append(i); }
        for (IoInfo i : optional) { if (sb.length() > 1) sb.append(", "); sb.append(i).append(" (optional)"); }
        return sb.append(']').toString();
    }
}
