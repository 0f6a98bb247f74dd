package dev.kiln.graph.text;

/**
 * A position inside one line of IR text, with the small token readers the parser needs. Every error it raises
 * names the line and column (both 1-based), so a typo in a hand-written test graph points at itself.
 */
final class IrCursor {
    /** Characters that end a value name: IR names may hold '/', '.', ':' and more, but not these. */
    private static final String NAME_STOP = " \t,()[]{}=";

    final String line;
    final int lineNo;
    int pos;

    IrCursor(String line, int lineNo, int pos) {
        this.line = line;
        this.lineNo = lineNo;
        this.pos = pos;
    }

    boolean atEnd() { return pos >= line.length(); }
    char peek() { return atEnd() ? '\0' : line.charAt(pos); }
    boolean startsWith(String s) { return line.startsWith(s, pos); }

    IrParseException error(String message) { return new IrParseException(lineNo, pos + 1, message, line); }

    void skipSpaces() { while (!atEnd() && (peek() == ' ' || peek() == '\t')) pos++; }

    void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "' but found " + found());
        pos++;
    }

    void expect(String s) {
        if (!startsWith(s)) throw error("expected '" + s + "' but found " + found());
        pos += s.length();
    }

    /** Consumes {@code s} when it comes next. */
    boolean accept(String s) {
        if (!startsWith(s)) return false;
        pos += s.length();
        return true;
    }

    String found() {
        if (atEnd()) return "end of line";
        int end = Math.min(line.length(), pos + 12);
        return "'" + line.substring(pos, end) + (end < line.length() ? "..." : "") + "'";
    }

    /** A value name (after '%'): everything up to a delimiter; may contain ':' (the caller splits off a type). */
    String name() {
        int start = pos;
        while (!atEnd() && NAME_STOP.indexOf(peek()) < 0) pos++;
        if (pos == start) throw error("expected a name but found " + found());
        return line.substring(start, pos);
    }

    /** Letters, digits, '_', '.', '?' and '*': op types with domains, dtype names, type keywords. */
    String word() {
        int start = pos;
        while (!atEnd()) {
            char c = peek();
            if (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '?' || c == '*' || c == '+') pos++;
            else break;
        }
        if (pos == start) throw error("expected a word but found " + found());
        return line.substring(start, pos);
    }

    /** A number as printed: digits, sign, '.', exponent, or NaN / Infinity. */
    String number() {
        int start = pos;
        while (!atEnd() && ",]}) \t".indexOf(peek()) < 0) pos++;
        if (pos == start) throw error("expected a number but found " + found());
        return line.substring(start, pos);
    }

    /** A double-quoted string with the printer's escapes (\\, \", \n). */
    String quoted() {
        int start = pos;
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (atEnd()) { pos = start; throw error("unterminated string"); }
            char c = line.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c != '\\') { sb.append(c); continue; }
            if (atEnd()) { pos = start; throw error("unterminated string"); }
            char e = line.charAt(pos++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case '\\' -> sb.append('\\');
                case '"' -> sb.append('"');
                default -> { pos -= 2; throw error("unknown escape '\\" + e + "'"); }
            }
        }
    }

    static boolean isFloatText(String s) {
        return s.contains(".") || s.contains("e") || s.contains("E") || s.contains("NaN") || s.contains("Infinity");
    }

    long parseLong(String s, int at) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            pos = at;
            throw error("not an integer: '" + s + "'");
        }
    }

    double parseDouble(String s, int at) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            pos = at;
            throw error("not a number: '" + s + "'");
        }
    }
}
