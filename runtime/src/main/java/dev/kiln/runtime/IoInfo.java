package dev.kiln.runtime;

import dev.kiln.graph.ValueType;

/** A model input or output: its name and static type (dims may be symbolic or unknown). */
public record IoInfo(String name, ValueType type) {
    @Override public String toString() { return name + ": " + type; }
}
