package dev.kiln.tests.robust;

import dev.kiln.graph.InvalidInputException;
import dev.kiln.graph.KilnException;
import dev.kiln.runtime.Session;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A caller's mistakes in {@link Session#run} inputs: one {@link InvalidInputException} naming the input, the
 * expectation and what was given, before any kernel runs — on every backend and opt level.
 */
class SessionInputErrorsTest {
    static Tensor f(long... dims) {
        long n = 1;
        for (long d : dims) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = i * 0.25f - 3;
        return Tensor.of(v, dims);
    }

    static void rejects(Session s, Map<String, Tensor> in, String... mentions) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.run(in));
        for (String m : mentions) assertTrue(e.getMessage().contains(m), "'" + e.getMessage() + "' should mention " + m);
    }

    @ParameterizedTest @ValueSource(strings = {"reference/0", "cpu/0", "cpu/3"})
    void addModel(String config) {
        String[] c = config.split("/");
        Session s = Models.session("test_add", c[0].equals("cpu") ? Models.cpu(Integer.parseInt(c[1])) : Models.REF);
        rejects(s, Map.of("x", f(3, 4, 5), "q", f(3, 4, 5)), "'q'", "x", "y");                 // wrong name
        rejects(s, Map.of("x", f(3, 4, 5)), "missing", "'y'");                                  // missing
        rejects(s, Map.of("x", f(3, 4, 5), "y", f(3, 4, 5), "z", f(1)), "unknown", "'z'");   // extra
        rejects(s, Map.of("x", f(3, 4, 5), "y", Tensor.ofLongs(new long[60], 3, 4, 5)), "'y'", "float32", "int64");
        rejects(s, Map.of("x", f(3, 4, 5), "y", f(60)), "'y'", "rank 3");                      // wrong rank
        rejects(s, Map.of("x", f(3, 4, 6), "y", f(3, 4, 5)), "'x'", "axis 2");                 // wrong known dim
        rejects(s, Map.of("x", f(3, 0, 5), "y", f(3, 4, 5)), "'x'", "axis 1");                 // zero where 4 is known
        Map<String, Tensor> nulls = new HashMap<>();
        nulls.put("x", f(3, 4, 5));
        nulls.put("y", null);
        rejects(s, nulls, "missing", "'y'");
        assertThrows(InvalidInputException.class, () -> s.run(null));
        // And after all that, a good run still works (no state poisoned by the failures).
        Models.assertAllClose(config, Models.session("test_add", Models.REF).run(Map.of("x", f(3, 4, 5), "y", f(3, 4, 5))),
                s.run(Map.of("x", f(3, 4, 5), "y", f(3, 4, 5))));
    }

    /** MiniLM has symbolic dims (batch, sequence) shared by its three int64 inputs. */
    static Map<String, Tensor> bert(int batch, int seq, int maskBatch) {
        long[] ids = new long[batch * seq], mask = new long[maskBatch * seq], types = new long[batch * seq];
        for (int i = 0; i < ids.length; i++) ids[i] = 101 + (i * 7919) % 20000;
        java.util.Arrays.fill(mask, 1);
        return Map.of("input_ids", Tensor.ofLongs(ids, batch, seq), "attention_mask", Tensor.ofLongs(mask, maskBatch, seq),
                "token_type_ids", Tensor.ofLongs(types, batch, seq));
    }

    @Test void miniLmSymbolicDimsMustAgree() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Models.haveMiniLm(), "no MiniLM model in ~/.cache/kiln");
        Session s = MiniLm.session(3);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.run(bert(2, 5, 1)));
        assertTrue(e.getMessage().contains("attention_mask") && e.getMessage().contains("2"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> s.run(bert(1, 5, 1).entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                        x -> x.getKey().equals("token_type_ids") ? Tensor.ofLongs(new long[6], 1, 6) : x.getValue()))));
    }

    /** Zero-size batch or sequence: an empty answer or a typed error, never a crash or a hang. */
    @Test void miniLmZeroSizeDims() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Models.haveMiniLm(), "no MiniLM model in ~/.cache/kiln");
        for (int opt : new int[] {0, 3}) {
            Session s = MiniLm.session(opt);
            for (int[] bs : new int[][] {{0, 4}, {2, 0}}) {
                try {
                    Map<String, Tensor> out = s.run(bert(bs[0], bs[1], bs[0]));
                    for (Tensor t : out.values()) assertEquals(0, t.numel(), "O" + opt + " " + bs[0] + "x" + bs[1]);
                } catch (KilnException expected) {
                    assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank());
                }
            }
        }
    }
}
