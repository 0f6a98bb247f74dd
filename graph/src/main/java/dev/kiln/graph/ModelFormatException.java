package dev.kiln.graph;

/** A model file is malformed: the message names the file, the node or message, and the field. */
public class ModelFormatException extends KilnException {
    public ModelFormatException(String message) { super(message); }
    public ModelFormatException(String message, Throwable cause) { super(message, cause); }
}
