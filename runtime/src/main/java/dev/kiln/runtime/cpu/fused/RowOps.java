package dev.kiln.runtime.cpu.fused;

import dev.kiln.runtime.cpu.VectorConfig;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Row-wise f32 helpers for the fused kernels (broadcasting add over rows of the last axis). */
final class RowOps {
    private RowOps() {}

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * a + b with numpy broadcasting, vectorized along the last axis when both operands are dense there (a
     * broadcast last axis — stride 0 — takes a scalar loop); null when the shapes do not broadcast.
     */
    static Tensor add(Tensor a, Tensor b) {
        Shape s;
        try {
            s = Shape.broadcast(a.shape(), b.shape());
        } catch (RuntimeException e) {
            return null;
        }
        Tensor y = Tensor.allocate(DType.F32, s);
        if (s.numel() == 0) return y;
        if (s.rank() == 0) { y.setDouble(0, (float) (a.getDouble(0) + b.getDouble(0))); return y; }
        Tensor ea = a.expand(s), eb = b.expand(s);
        int r = s.rank();
        long n = s.dim(r - 1);
        if (n > Integer.MAX_VALUE) return null;
        long la = ea.strides()[r - 1], lb = eb.strides()[r - 1];
        long rows = s.numel() / n;
        long[] sa = ea.strides(), sb = eb.strides(), dims = s.dims();
        MemorySegment as = ea.segment(), bs = eb.segment(), ys = y.segment();
        for (long row = 0; row < rows; row++) {
            long rem = row, oa = ea.offset(), ob = eb.offset();
            for (int d = r - 2; d >= 0; d--) {
                long i = rem % dims[d];
                rem /= dims[d];
                oa += i * sa[d];
                ob += i * sb[d];
            }
            if (la == 1 && lb == 1) addRow(as, oa, bs, ob, ys, row * n, (int) n);
            else for (long j = 0; j < n; j++)
                ys.set(F32, (row * n + j) * 4, as.get(F32, (oa + j * la) * 4) + bs.get(F32, (ob + j * lb) * 4));
        }
        return y;
    }

    /** y[yo..] = a[ao..] + b[bo..] for n floats (offsets in elements). */
    static void addRow(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment y, long yo, int n) {
        int i = 0;
        if (!VectorConfig.SCALAR) {
            int l = VectorConfig.F.length();
            for (; i <= n - l; i += l)
                FloatVector.fromMemorySegment(VectorConfig.F, a, (ao + i) * 4, ByteOrder.LITTLE_ENDIAN)
                        .add(FloatVector.fromMemorySegment(VectorConfig.F, b, (bo + i) * 4, ByteOrder.LITTLE_ENDIAN))
                        .intoMemorySegment(y, (yo + i) * 4, ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < n; i++) y.set(F32, (yo + i) * 4, a.get(F32, (ao + i) * 4) + b.get(F32, (bo + i) * 4));
    }
}
