package dev.kiln.graph.text;

import dev.kiln.graph.ModelFormatException;

/** IR text that {@link IrParser} cannot read; the message starts with {@code line:column}. */
public final class IrParseException extends ModelFormatException {
    private final int line;
    private final int column;

    public IrParseException(int line, int column, String message, String text) {
        super(line + ":" + column + ": " + message + (text == null ? "" : "\n  " + text.strip()));
        this.line = line;
        this.column = column;
    }

    public int line() { return line; }
    public int column() { return column; }
}
