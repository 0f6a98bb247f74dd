package dev.kiln.formats.json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader (RFC 8259) for Kiln's own files: tokenizer.json, tuning logs, reference data.
 * Objects become insertion-ordered {@code Map<String,Object>}, arrays {@code List<Object>}, numbers {@link Long}
 * when integral and in range else {@link Double}, plus String, Boolean and null. Nesting depth is bounded so
 * hostile input cannot overflow the stack; errors carry the character offset.
 */
public final class Json {
    private static final int MAX_DEPTH = 512;

    private final String src;
    private int pos;

    private Json(String src) { this.src = src; }

    /** Parses one JSON document; trailing non-whitespace is an error. */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.skipWs();
        Object v = p.value(0);
        p.skipWs();
        if (p.pos != p.src.length()) throw p.error("trailing characters after the JSON value");
        return v;
    }

    /** The parsed document as an object, or an error naming what it was. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) throw new JsonException("expected a JSON object at top level");
        return (Map<String, Object>) v;
    }

    private JsonException error(String msg) {
        return new JsonException(msg + " at offset " + pos);
    }

    private void skipWs() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
            else break;
        }
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        if (pos >= src.length()) throw error("unexpected end of input");
        char c = src.charAt(pos);
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
        if (!src.startsWith(word, pos)) throw error("expected '" + word + "'");
        pos += word.length();
        return v;
    }

    private Map<String, Object> object(int depth) {
        pos++;
        Map<String, Object> out = new LinkedHashMap<>();
        skipWs();
        if (peek() == '}') { pos++; return out; }
        while (true) {
            skipWs();
            if (peek() != '"') throw error("expected a string key");
            String key = string();
            skipWs();
            expect(':');
            skipWs();
            // Duplicate keys are ambiguous (readers disagree on first vs last wins): in a safetensors header two
            // entries for one tensor name would silently drop one of them. Strict means refuse.
            if (out.containsKey(key)) throw error("duplicate key \"" + key + "\"");
            out.put(key, value(depth + 1));
            skipWs();
            char c = next();
            if (c == '}') return out;
            if (c != ',') { pos--; throw error("expected ',' or '}'"); }
        }
    }

    private List<Object> array(int depth) {
        pos++;
        List<Object> out = new ArrayList<>();
        skipWs();
        if (peek() == ']') { pos++; return out; }
        while (true) {
            skipWs();
            out.add(value(depth + 1));
            skipWs();
            char c = next();
            if (c == ']') return out;
            if (c != ',') { pos--; throw error("expected ',' or ']'"); }
        }
    }

    private String string() {
        expect('"');
        StringBuilder sb = null;
        int start = pos;
        while (true) {
            if (pos >= src.length()) throw error("unterminated string");
            char c = src.charAt(pos++);
            if (c == '"') return sb == null ? src.substring(start, pos - 1) : sb.toString();
            if (c < 0x20) { pos--; throw error("control character in string"); }
            if (c == '\\') {
                if (sb == null) sb = new StringBuilder(src.substring(start, pos - 1));
                if (pos >= src.length()) throw error("unterminated escape");
                char e = src.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > src.length()) throw error("short \\u escape");
                        int cp = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(src.charAt(pos++), 16);
                            if (d < 0) throw error("bad hex digit in \\u escape");
                            cp = cp * 16 + d;
                        }
                        sb.append((char) cp);   // surrogate pairs arrive as two escapes and join naturally
                    }
                    default -> throw error("bad escape '\\" + e + "'");
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') pos++;
        else if (isDigit(peek())) while (isDigit(peek())) pos++;
        else throw error("bad number");
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) throw error("digit expected after '.'");
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw error("digit expected in exponent");
            while (isDigit(peek())) pos++;
        }
        String s = src.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException outOfRange) {
                // beyond 64 bits: fall through to a double, as JavaScript readers would
            }
        }
        return Double.parseDouble(s);
    }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }
    private char peek() { return pos < src.length() ? src.charAt(pos) : '\0'; }
    private char next() {
        if (pos >= src.length()) throw error("unexpected end of input");
        return src.charAt(pos++);
    }
    private void expect(char c) {
        if (next() != c) { pos--; throw error("expected '" + c + "'"); }
    }

    // ------------------------------------------------------------------ typed access helpers

    /** {@code map.get(key)} as a map, or an error naming the key. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> obj(Map<String, Object> map, String key) {
        Object v = map.get(key);
        if (v instanceof Map) return (Map<String, Object>) v;
        throw new JsonException("field '" + key + "' is not an object");
    }

    @SuppressWarnings("unchecked")
    public static List<Object> arr(Map<String, Object> map, String key) {
        Object v = map.get(key);
        if (v instanceof List) return Collections.unmodifiableList((List<Object>) v);
        throw new JsonException("field '" + key + "' is not an array");
    }

    public static String str(Map<String, Object> map, String key) {
        Object v = map.get(key);
        if (v instanceof String s) return s;
        throw new JsonException("field '" + key + "' is not a string");
    }

    public static long num(Map<String, Object> map, String key) {
        Object v = map.get(key);
        if (v instanceof Long l) return l;
        if (v instanceof Double d && d == Math.rint(d)) return d.longValue();
        throw new JsonException("field '" + key + "' is not an integer");
    }

    /** Writes a value (Map, List, String, Number, Boolean, null) as compact JSON. */
    public static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(v, sb, -1);
        return sb.toString();
    }

    /** As {@link #write}, indented two spaces per level, for files people read and diff (tuning logs). */
    public static String writePretty(Object v) {
        StringBuilder sb = new StringBuilder();
        write(v, sb, 0);
        return sb.append('\n').toString();
    }

    private static void newline(StringBuilder sb, int indent) {
        if (indent >= 0) sb.append('\n').append("  ".repeat(indent));
    }

    /** {@code indent} < 0 writes compactly. */
    private static void write(Object v, StringBuilder sb, int indent) {
        if (v == null) sb.append("null");
        else if (v instanceof String s) quote(s, sb);
        else if (v instanceof Boolean || v instanceof Long || v instanceof Integer) sb.append(v);
        else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) sb.append("null");
            else sb.append(n);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            int inner = indent < 0 ? -1 : indent + 1;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                newline(sb, inner);
                quote(String.valueOf(e.getKey()), sb);
                sb.append(indent < 0 ? ":" : ": ");
                write(e.getValue(), sb, inner);
            }
            if (!first) newline(sb, indent);
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            int inner = indent < 0 ? -1 : indent + 1;
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(',');
                newline(sb, inner);
                write(l.get(i), sb, inner);
            }
            if (!l.isEmpty()) newline(sb, indent);
            sb.append(']');
        } else throw new IllegalArgumentException("cannot write " + v.getClass().getSimpleName() + " as JSON");
    }

    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
