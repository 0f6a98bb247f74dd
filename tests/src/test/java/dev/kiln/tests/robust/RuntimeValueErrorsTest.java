package dev.kiln.tests.robust;

import dev.kiln.graph.KilnException;
import dev.kiln.ops.OpFailure;
import dev.kiln.runtime.Session;
import dev.kiln.runtime.SessionOptions;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Well-typed inputs with bad values — out-of-range indices, incompatible or enormous shapes given as data: a typed
 * error naming the node ({@link OpFailure} or {@link KilnException}), never an untyped exception, an OOM or an
 * out-of-bounds read that returns garbage.
 */
class RuntimeValueErrorsTest {
    static void typedFailure(String what, String test, SessionOptions o, Map<String, Tensor> in, String opType) {
        try {
            Map<String, Tensor> out = Models.session(test, o).run(in);
            fail(what + ": accepted, gave " + out);
        } catch (KilnException | OpFailure e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(opType), what + ": '" + e.getMessage() + "' should name the " + opType + " node");
        } catch (Throwable t) {
            fail(what + ": untyped " + t, t);
        }
    }

    /** The data set with input {@code index}'s leading elements overwritten by {@code values} (same shape). */
    static Map<String, Tensor> set(String test, int index, double... values) {
        Map<String, Tensor> in = new LinkedHashMap<>(Models.inputs(test));
        String name = Models.session(test, Models.REF).inputs().get(index).name();
        Tensor t = in.get(name).copy();
        if (t.numel() < values.length) throw new IllegalArgumentException(test + " input " + name + " has " + t.shape());
        for (int i = 0; i < values.length; i++) {
            if (t.dtype().isFloatingPoint()) t.setDouble(i, values[i]); else t.setLong(i, (long) values[i]);
        }
        in.put(name, t);
        return in;
    }

    @ParameterizedTest @ValueSource(strings = {"reference/0", "cpu/0", "cpu/3"})
    void badValues(String config) {
        String[] c = config.split("/");
        SessionOptions o = c[0].equals("cpu") ? Models.cpu(Integer.parseInt(c[1])) : Models.REF;
        typedFailure(config + " gather index 1000", "test_gather_0", o, set("test_gather_0", 1, 0, 1000), "Gather");
        typedFailure(config + " gather index -1000", "test_gather_0", o, set("test_gather_0", 1, -1000), "Gather");
        typedFailure(config + " gather_elements 77", "test_gather_elements_0", o, set("test_gather_elements_0", 1, 77), "GatherElements");
        typedFailure(config + " gathernd 9", "test_gathernd_example_float32", o, set("test_gathernd_example_float32", 1, 9), "GatherND");
        typedFailure(config + " reshape to a wrong count", "test_reshape_reordered_all_dims", o,
                set("test_reshape_reordered_all_dims", 1, 7, 5, 3), "Reshape");
        typedFailure(config + " reshape two -1", "test_reshape_reordered_all_dims", o,
                set("test_reshape_reordered_all_dims", 1, -1, -1, 2), "Reshape");
        typedFailure(config + " expand incompatible", "test_expand_dim_changed", o, set("test_expand_dim_changed", 1, 2, 7, 5), "Expand");
        // Enormous shapes given as data: must be refused before allocating, not die with OutOfMemoryError.
        typedFailure(config + " expand to 2^50", "test_expand_dim_changed", o,
                set("test_expand_dim_changed", 1, 1L << 25, 1L << 25, 6), "Expand");
        typedFailure(config + " constantofshape 2^60", "test_constantofshape_float_ones", o,
                set("test_constantofshape_float_ones", 0, 1L << 30, 1L << 30), "ConstantOfShape");
        typedFailure(config + " tile x 2^40", "test_tile", o, set("test_tile", 1, 1L << 20, 1L << 20), "Tile");
        typedFailure(config + " range of 1e15", "test_range_float_type_positive_delta", o,
                set("test_range_float_type_positive_delta", 1, 1e15), "Range");
    }
}
