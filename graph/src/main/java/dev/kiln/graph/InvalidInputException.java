package dev.kiln.graph;

/** Inputs handed to a session do not match the model: names, dtypes or shapes, with what was expected. */
public class InvalidInputException extends KilnException {
    public InvalidInputException(String message) { super(message); }
    public InvalidInputException(String message, Throwable cause) { super(message, cause); }
}
