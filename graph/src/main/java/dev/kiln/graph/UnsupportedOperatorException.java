package dev.kiln.graph;

/** A model uses operators (or versions) Kiln does not implement; lists all of them at once, with node names. */
public class UnsupportedOperatorException extends KilnException {
    public UnsupportedOperatorException(String message) { super(message); }
    public UnsupportedOperatorException(String message, Throwable cause) { super(message, cause); }
}
