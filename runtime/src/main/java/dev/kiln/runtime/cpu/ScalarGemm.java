package dev.kiln.runtime.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * GEMM without vectors: the scalar mode ({@code kiln.vector.bits=0}) and the K = 0 case. Row-by-row i-p-j order
 * so the inner loop walks B and C rows contiguously.
 */
final class ScalarGemm {
    private ScalarGemm() {}

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static void run(Sgemm.Call call, int m0, int m1, int n0, int n1) {
        int n = n1 - n0;
        float[] acc = new float[n];
        for (int i = m0; i < m1; i++) {
            java.util.Arrays.fill(acc, 0f);
            long aRow = call.aOff() + i * call.aRs();
            for (int p = 0; p < call.k(); p++) {
                float av = call.a().get(F32, (aRow + p * call.aCs()) * 4);
                if (call.packed() != null) {
                    PackedB pb = call.packed();
                    for (int j = 0; j < n; j++) {
                        int col = n0 + j;
                        acc[j] += av * pb.data[(col / pb.nr) * pb.k * pb.nr + p * pb.nr + col % pb.nr];
                    }
                } else {
                    long bRow = call.bOff() + p * call.bRs() + (long) n0 * call.bCs();
                    for (int j = 0; j < n; j++) acc[j] += av * call.b().get(F32, (bRow + j * call.bCs()) * 4);
                }
            }
            long cRow = call.cOff() + i * call.ldc() + n0;
            MemorySegment c = call.c();
            for (int j = 0; j < n; j++) {
                float t = call.alpha() * acc[j];
                long at = (cRow + j) * 4;
                c.set(F32, at, call.beta() == 0f ? t : t + call.beta() * c.get(F32, at));
            }
        }
        call.ep().apply(call.c(), call.cOff(), call.ldc(), m0, m1, n0, n1);
    }
}
