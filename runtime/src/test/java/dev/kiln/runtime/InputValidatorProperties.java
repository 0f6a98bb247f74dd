package dev.kiln.runtime;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InvalidInputException;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The validator accepts exactly the inputs a direct reading of the declared types allows: equal dtype and rank,
 * known dims equal, each symbol one size across all inputs, unknown dims anything (zero included).
 */
class InputValidatorProperties {
    record Case(List<TensorType> declared, List<long[]> shapes, List<DType> dtypes) {}

    @Provide Arbitrary<Case> cases() {
        Arbitrary<Dim> dim = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 3).map(Dim::of),
                Arbitraries.of("N", "S").map(Dim::sym),
                Arbitraries.just(Dim.UNKNOWN));
        Arbitrary<TensorType> type = Combinators.combine(Arbitraries.of(DType.F32, DType.I64), dim.list().ofMaxSize(3))
                .as(TensorType::new);
        Arbitrary<long[]> shape = Arbitraries.longs().between(0, 3).list().ofMaxSize(3)
                .map(l -> l.stream().mapToLong(Long::longValue).toArray());
        return Combinators.combine(type.list().ofMinSize(1).ofMaxSize(3), shape.list().ofSize(3),
                Arbitraries.of(DType.F32, DType.I64).list().ofSize(3)).as((t, s, d) -> {
            // Half the time, make the shapes agree with the declaration, so accepting cases are common.
            List<long[]> shapes = new ArrayList<>(s);
            for (int i = 0; i < t.size(); i++) {
                if ((s.get(i).length & 1) == 0) shapes.set(i, conforming(t.get(i), s.get(i)));
            }
            return new Case(t, shapes.subList(0, t.size()), d.subList(0, t.size()));
        });
    }

    private static long[] conforming(TensorType t, long[] seed) {
        long[] out = new long[t.rank()];
        for (int a = 0; a < out.length; a++) {
            Dim d = t.dims().get(a);
            out[a] = d instanceof Dim.Known k ? k.value() : d instanceof Dim.Symbol s ? s.name().length() + 1 : (a < seed.length ? seed[a] : 2);
        }
        return out;
    }

    private static boolean oracle(Case c) {
        Map<String, Long> sym = new HashMap<>();
        for (int i = 0; i < c.declared().size(); i++) {
            TensorType t = c.declared().get(i);
            long[] s = c.shapes().get(i);
            if (t.dtype() != c.dtypes().get(i) || t.rank() != s.length) return false;
            for (int a = 0; a < s.length; a++) {
                Dim d = t.dims().get(a);
                if (d instanceof Dim.Known k && k.value() != s[a]) return false;
                long size = s[a];
                if (d instanceof Dim.Symbol sy && sym.computeIfAbsent(sy.name(), k -> size) != size) return false;
            }
        }
        return true;
    }

    @Property(tries = 400) void acceptsExactlyWhatTheTypesAllow(@ForAll("cases") Case c) {
        List<IoInfo> infos = new ArrayList<>();
        Map<String, Tensor> given = new LinkedHashMap<>();
        for (int i = 0; i < c.declared().size(); i++) {
            infos.add(new IoInfo("in" + i, c.declared().get(i)));
            given.put("in" + i, Tensor.allocate(c.dtypes().get(i), Shape.of(c.shapes().get(i))));
        }
        boolean accepted;
        try {
            InputValidator.check(infos, List.of(), given);
            accepted = true;
        } catch (InvalidInputException e) {
            accepted = false;
        }
        Statistics.label("accepted").collect(accepted);
        assertEquals(oracle(c), accepted, c.toString());
    }
}
