package dev.kiln.ops;

import dev.kiln.graph.Attribute;

/** One attribute of an op schema: name, kind, and default (null when the attribute is required or has none). */
public record AttrSpec(String name, Attribute.Kind kind, Object defaultValue, boolean required) {
    public static AttrSpec optional(String name, Attribute.Kind kind, Object dflt) { return new AttrSpec(name, kind, dflt, false); }
    public static AttrSpec required(String name, Attribute.Kind kind) { return new AttrSpec(name, kind, null, true); }
}
