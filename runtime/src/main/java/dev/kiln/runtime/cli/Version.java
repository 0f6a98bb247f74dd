package dev.kiln.runtime.cli;

/** Kiln's version string. */
public final class Version {
    private Version() {}
    public static final String VERSION = "0.1.0-SNAPSHOT";
}
