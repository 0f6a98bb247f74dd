package dev.kiln.formats.json;

import dev.kiln.graph.ModelFormatException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) reader for model metadata: safetensors headers, tokenizer files, test fixtures.
 * Objects become unmodifiable {@code Map<String,Object>} (file order kept; duplicate keys are an error), arrays
 * {@code List<Object>}, strings {@code String}, numbers {@code Long} when integral and in range else
 * {@code Double}, {@code true/false} {@code Boolean}, {@code null} Java null. Nesting depth is bounded so hostile
 * input cannot overflow the stack; errors are {@link ModelFormatException}s with the source name and offset.
 */
public final class Json {
    /** Deep enough for any real config, shallow enough to be safe on a default thread stack. */
    public static final int MAX_DEPTH = 512;

    private final String s;
    private final String source;
    private int i;

    private Json(String s, String source) {
        this.s = s;
        this.source = source;
    }

    /** Parses one JSON value that must make up the whole text (surrounding whitespace allowed). */
    public static Object parse(String text, String sourceName) {
        Json p = new Json(text, sourceName);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.i != text.length()) throw p.error("unexpected text after the JSON value");
        return v;
    }

    /** Parses text that must be a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text, String sourceName) {
        Object v = parse(text, sourceName);
        if (!(v instanceof Map)) throw new ModelFormatException(sourceName + ": expected a JSON object at the top level");
        return (Map<String, Object>) v;
    }

    private ModelFormatException error(String what) {
        return new ModelFormatException(source + ": invalid JSON at offset " + i + ": " + what);
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') i++;
            else break;
        }
    }

    private char peek() {
        if (i >= s.length()) throw error("unexpected end of input");
        return s.charAt(i);
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
        char c = peek();
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) throw error("expected " + word);
        i += word.length();
        return v;
    }

    private Map<String, Object> object(int depth) {
        i++;
        Map<String, Object> m = new LinkedHashMap<>();
        ws();
        if (peek() == '}') { i++; return Collections.unmodifiableMap(m); }
        while (true) {
            ws();
            if (peek() != '"') throw error("expected a string key");
            int at = i;
            String k = string();
            ws();
            if (peek() != ':') throw error("expected ':'");
            i++;
            ws();
            Object v = value(depth + 1);
            if (m.containsKey(k)) { i = at; throw error("duplicate key \"" + k + "\""); }
            m.put(k, v);
            ws();
            char c = peek();
            i++;
            if (c == '}') return Collections.unmodifiableMap(m);
            if (c != ',') { i--; throw error("expected ',' or '}'"); }
        }
    }

    private List<Object> array(int depth) {
        i++;
        List<Object> l = new ArrayList<>();
        ws();
        if (peek() == ']') { i++; return Collections.unmodifiableList(l); }
        while (true) {
            ws();
            l.add(value(depth + 1));
            ws();
            char c = peek();
            i++;
            if (c == ']') return Collections.unmodifiableList(l);
            if (c != ',') { i--; throw error("expected ',' or ']'"); }
        }
    }

    private String string() {
        i++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = peek();
            i++;
            if (c == '"') return sb.toString();
            if (c < 0x20) { i--; throw error("control character in string"); }
            if (c != '\\') { sb.append(c); continue; }
            char e = peek();
            i++;
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append(hex4());   // surrogate pairs arrive as two escapes and join in the builder
                default -> { i--; throw error("invalid escape '\\" + e + "'"); }
            }
        }
    }

    private char hex4() {
        if (i + 4 > s.length()) throw error("truncated \\u escape");
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(s.charAt(i + k), 16);
            if (d < 0) throw error("invalid hex digit in \\u escape");
            v = v * 16 + d;
        }
        i += 4;
        return (char) v;
    }

    private Object number() {
        int st = i;
        if (peek() == '-') i++;
        if (peek() == '0') i++;
        else digits();
        boolean integral = true;
        if (i < s.length() && s.charAt(i) == '.') { i++; digits(); integral = false; }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            digits();
            integral = false;
        }
        String n = s.substring(st, i);
        if (integral && n.length() <= 20) {   // 19 digits and a sign
            try {
                return Long.parseLong(n);
            } catch (NumberFormatException ignored) {
                // out of long range: fall through to double
            }
        }
        return Double.parseDouble(n);
    }

    private void digits() {
        int st = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        if (st == i) throw error("expected a digit");
    }
}
