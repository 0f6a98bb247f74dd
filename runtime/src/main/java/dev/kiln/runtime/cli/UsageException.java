package dev.kiln.runtime.cli;

/** Wrong command-line usage: printed with the command name, exit code 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) { super(message); }
}
