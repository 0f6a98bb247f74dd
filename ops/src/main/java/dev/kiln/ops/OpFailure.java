package dev.kiln.ops;

/** A kernel or inference found the node's inputs or attributes invalid; the message names what was expected. */
public class OpFailure extends RuntimeException {
    public OpFailure(String message) { super(message); }
    public OpFailure(String message, Throwable cause) { super(message, cause); }
}
