package dev.kiln.formats.json;

import dev.kiln.graph.ModelFormatException;

/** Malformed JSON, or a field of the wrong kind; the message has the offset or the field name. */
public final class JsonException extends ModelFormatException {
    public JsonException(String message) { super(message); }
}
