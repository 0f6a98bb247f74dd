package dev.kiln.ops;

/** A group of related ops (one file per family) that adds its schemas to a registry. */
@FunctionalInterface
public interface OpFamily {
    void register(OpRegistry registry);
}
