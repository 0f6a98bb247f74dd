package dev.kiln.runtime.conformance;

/**
 * One conformance test's result.
 *
 * @param name    the test folder's name
 * @param op      the operator under test (see {@link OpLabels})
 * @param message why it did not pass; empty on pass
 * @param millis  wall time, load included
 */
public record TestResult(String name, String op, TestStatus status, String message, long millis) {
    public TestResult {
        message = message == null ? "" : message;
    }
}
