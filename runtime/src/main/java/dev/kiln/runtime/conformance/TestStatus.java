package dev.kiln.runtime.conformance;

/** Outcome of one conformance test. */
public enum TestStatus {
    /** Every data set's outputs matched within the ONNX tolerance. */
    PASS,
    /** Wrong outputs, a run or load error, or out of memory. */
    FAIL,
    /** The model uses operators (or versions) this build does not implement. */
    UNSUPPORTED,
    /** Did not finish within the per-test time limit. */
    TIMEOUT;

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
