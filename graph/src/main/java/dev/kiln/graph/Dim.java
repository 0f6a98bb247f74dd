package dev.kiln.graph;

/** One dimension of a value's static type: a known size, a named symbol ({@code batch}), or unknown. */
public sealed interface Dim {
    record Known(long value) implements Dim {
        public Known {
            if (value < 0) throw new IllegalArgumentException("negative dimension " + value);
        }
        @Override public String toString() { return Long.toString(value); }
    }

    record Symbol(String name) implements Dim {
        @Override public String toString() { return name; }
    }

    /** A dimension about which nothing is known. */
    record Unknown() implements Dim {
        @Override public String toString() { return "?"; }
    }

    Dim UNKNOWN = new Unknown();

    static Dim of(long v) { return new Known(v); }
    static Dim sym(String name) { return new Symbol(name); }

    default boolean isKnown() { return this instanceof Known; }
    /** The size, or -1 when not a known number. */
    default long valueOr(long fallback) { return this instanceof Known k ? k.value() : fallback; }
}
