package dev.kiln.formats.json;

import dev.kiln.graph.ModelFormatException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JsonTest {
    @Test
    void parsesAllValueKinds() {
        Map<String, Object> m = Json.parseObject(
                " {\"a\": [1, -2, 3.5, 1e3, 12345678901234567890], \"b\": {\"c\": null, \"d\": true, \"e\": false},"
                        + " \"s\": \"x\\n\\u00e9\\ud83d\\ude00\\\"\\\\\\/\"} ", "t.json");
        assertEquals(List.of("a", "b", "s"), List.copyOf(m.keySet()));
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2L, a.get(1));
        assertEquals(3.5, a.get(2));
        assertEquals(1000.0, a.get(3));
        assertEquals(1.2345678901234567e19, (Double) a.get(4), 1e5);
        Map<?, ?> b = (Map<?, ?>) m.get("b");
        assertTrue(b.containsKey("c"));
        assertNull(b.get("c"));
        assertEquals(Boolean.TRUE, b.get("d"));
        assertEquals("x\né😀\"\\/", m.get("s"));
        assertEquals(List.of(), Json.parse("[]", "t"));
        assertEquals(Map.of(), Json.parse("{}", "t"));
    }

    @Test
    void rejectsInvalidJsonWithOffsets() {
        String[] bad = {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "tru", "\"\\x\"", "\"a\u0001\"",
                "{\"a\":1,\"a\":2}", "[1] x", "{a:1}", "\"\\u12\"", "NaN", "'s'"};
        for (String s : bad) {
            var e = assertThrows(ModelFormatException.class, () -> Json.parse(s, "bad.json"), s);
            assertTrue(e.getMessage().contains("bad.json"), e.getMessage());
        }
        assertThrows(ModelFormatException.class, () -> Json.parseObject("[1]", "x"));
    }

    @Test
    void depthIsBounded() {
        String deep = "[".repeat(Json.MAX_DEPTH + 10) + "]".repeat(Json.MAX_DEPTH + 10);
        assertThrows(ModelFormatException.class, () -> Json.parse(deep, "deep"));
        String ok = "[".repeat(100) + "]".repeat(100);
        assertNotNull(Json.parse(ok, "ok"));
    }

    @Property(tries = 300)
    void longsRoundTrip(@ForAll long v) {
        assertEquals(v, Json.parse(Long.toString(v), "n"));
    }

    @Property(tries = 300)
    void garbageNeverFailsUntyped(@ForAll String s) {
        try {
            Json.parse(s, "fuzz");
        } catch (ModelFormatException expected) {
            // typed failure is fine
        }
    }
}
