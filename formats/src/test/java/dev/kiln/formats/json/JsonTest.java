package dev.kiln.formats.json;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JsonTest {
    @Test
    void parsesAllKinds() {
        Map<String, Object> m = Json.parseObject("{\"a\": [1, -2.5e3, true, false, null], \"s\": \"x\\u00e9\\n\\ud83d\\ude00\"}");
        assertEquals(List.of(1L, -2500.0, true, false), Json.arr(m, "a").subList(0, 4));
        assertNull(Json.arr(m, "a").get(4));
        assertEquals("xé\n😀", Json.str(m, "s"));
    }

    @Test
    void rejectsMalformedInputWithOffset() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\" 1}", "01", "\"abc", "[1] x", "{\"a\":tru}", "-", "1.", "\"\\x\"")) {
            JsonException e = assertThrows(JsonException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains("offset"), e.getMessage());
        }
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        String deep = "[".repeat(100_000);
        assertThrows(JsonException.class, () -> Json.parse(deep));
    }

    @Property(tries = 300)
    void writeThenParseRoundtrips(@ForAll("values") Object v) {
        assertEquals(v, Json.parse(Json.write(v)));
        assertEquals(v, Json.parse(Json.writePretty(v)));
    }

    @Test
    void prettyOutputIsIndented() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("a", List.of(1L, true));
        m.put("b", Map.of());
        assertEquals("{\n  \"a\": [\n    1,\n    true\n  ],\n  \"b\": {}\n}\n", Json.writePretty(m));
    }

    @Property(tries = 300)
    void garbageNeverThrowsAnythingButJsonException(@ForAll String s) {
        try {
            Json.parse(s);
        } catch (JsonException expected) {
            // fine: malformed input is reported, never crashes
        }
    }

    @Provide
    Arbitrary<Object> values() { return valuesOfDepth(3); }

    private Arbitrary<Object> valuesOfDepth(int depth) {
        Arbitrary<Object> leaf = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(8).map(s -> (Object) s),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.of(true, false).map(b -> (Object) b));
        if (depth == 0) return leaf;
        Arbitrary<Object> inner = valuesOfDepth(depth - 1);
        return Arbitraries.oneOf(leaf,
                inner.list().ofMaxSize(3).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(5), inner).ofMaxSize(3).map(m -> (Object) m));
    }
}
