package dev.kiln.ops.text;

import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kiln.ops.shape.OpRunner.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StringOpsTest {
    private static Tensor s(String... v) { return Tensor.ofStrings(v, v.length); }

    @Test void splitFollowsPythonStrSplit() {
        assertEquals(List.of("a", "", "b"), StringOps.splitOn("a,,b", ",", -1));
        assertEquals(List.of("a", ",b"), StringOps.splitOn("a,,b", ",", 1));
        assertEquals(List.of(""), StringOps.splitOn("", ",", -1));
        assertEquals(List.of("a", "b  c "), StringOps.splitWhitespace("  a b  c ", 1));
        assertEquals(List.of(), StringOps.splitWhitespace("   ", -1));
        Object[] r = op("StringSplit").attr("delimiter", "-").in(s("a-b", "c", "")).outputs(2).run();
        Tensor y = (Tensor) r[0];
        assertEquals(Shape.of(3, 2), y.shape());
        assertArrayEquals(new String[]{"a", "b", "c", "", "", ""}, y.toStringArray());
        assertArrayEquals(new long[]{2, 1, 1}, ((Tensor) r[1]).toLongArray());
    }

    @Test void normalizerRemovesStopwordsCaseInsensitivelyAndKeepsOneEmptyString() {
        Tensor y = op("StringNormalizer").attr("stopwords", new String[]{"the"}).attr("case_change_action", "UPPER")
                .in(s("The", "cat", "THE")).run1();
        assertArrayEquals(new String[]{"CAT"}, y.toStringArray());
        Tensor none = op("StringNormalizer").attr("stopwords", new String[]{"x"}).in(Tensor.ofStrings(new String[]{"x"}, 1, 1)).run1();
        assertEquals(Shape.of(1, 1), none.shape());
        assertEquals("", none.getString(0));
        Tensor cs = op("StringNormalizer").attr("is_case_sensitive", 1L).attr("stopwords", new String[]{"the"}).in(s("The", "the")).run1();
        assertArrayEquals(new String[]{"The"}, cs.toStringArray());
    }

    @Test void concatBroadcastsAndRegexMatchesWholeString() {
        Tensor y = op("StringConcat").in(s("a", "b")).in(Tensor.ofStrings(new String[]{"!"})).run1();
        assertArrayEquals(new String[]{"a!", "b!"}, y.toStringArray());
        Tensor m = op("RegexFullMatch").attr("pattern", "[a-z]+@[a-z]+\\.com").in(s("me@x.com", "me@x.com.au", "")).run1();
        assertArrayEquals(new boolean[]{true, false, false}, m.toBooleanArray());
        assertThrows(OpFailure.class, () -> op("RegexFullMatch").attr("pattern", "(").in(s("a")).run1());
    }
}
