package dev.kiln.graph;

/** Base of Kiln's typed errors: every failure a user can cause with bad input is one of these. */
public class KilnException extends RuntimeException {
    public KilnException(String message) { super(message); }
    public KilnException(String message, Throwable cause) { super(message, cause); }
}
