package dev.kiln.graph.pass;

import dev.kiln.graph.KilnException;

/** The IR broke an invariant; the message names the pass after which it was found and every violation. */
public final class IrVerificationException extends KilnException {
    public IrVerificationException(String message) { super(message); }
}
