package dev.kiln.ops.quant;

import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.kiln.ops.math.MathRun.*;
import static org.junit.jupiter.api.Assertions.*;

class QuantOpsTest {
    @Test
    void quantizeRoundsHalfToEvenAndSaturates() {
        Tensor x = f32(0, 2, 3, 5, 1000, -254, -1000);
        Tensor y = op("QuantizeLinear").in(x).in(Tensor.scalar(DType.F32, 2)).in(Tensor.scalarLong(DType.U8, 128)).run1();
        assertEquals(DType.U8, y.dtype());
        // 3/2 = 1.5 -> 2, 5/2 = 2.5 -> 2 (ties to even)
        assertLongs(y, 128, 129, 130, 130, 255, 1, 0);
        Tensor s = op("QuantizeLinear").in(f32(-1000, 1000)).in(Tensor.scalar(DType.F32, 1)).in(Tensor.scalarLong(DType.I4, 0)).run1();
        assertLongs(s, -8, 7);
        Tensor noZp = op("QuantizeLinear").in(f32(-3, 300)).in(Tensor.scalar(DType.F32, 1)).run1();
        assertEquals(DType.U8, noZp.dtype());
        assertLongs(noZp, 0, 255);
        Tensor od = op("QuantizeLinear").attr("output_dtype", (long) DType.I16.onnxCode()).in(f32(-40000, 7)).in(Tensor.scalar(DType.F32, 1)).run1();
        assertEquals(DType.I16, od.dtype());
        assertLongs(od, -32768, 7);
    }

    @Test
    void perAxisAndBlockedScales() {
        Tensor x = Tensor.of(new float[] {2, 4, 6, 8, 10, 12}, 2, 3);
        Tensor axis = op("QuantizeLinear").attr("axis", 1L).in(x).in(f32(1, 2, 4)).in(Tensor.fromLongs(DType.U8, new long[] {0, 1, 2}, 3)).run1();
        assertLongs(axis, 2, 3, 4, 8, 6, 5);
        // Blocks of 2 along axis 1: scale shape [2, 2] (ceil(3/2) = 2 blocks).
        Tensor scale = Tensor.of(new float[] {1, 2, 2, 4}, 2, 2);
        Tensor blk = op("QuantizeLinear").attr("axis", 1L).attr("block_size", 2L).in(x).in(scale)
                .in(Tensor.fromLongs(DType.U8, new long[] {0, 0, 0, 0}, 2, 2)).run1();
        assertLongs(blk, 2, 4, 3, 4, 5, 3);
        Tensor back = op("DequantizeLinear").attr("axis", 1L).attr("block_size", 2L).in(blk).in(scale)
                .in(Tensor.fromLongs(DType.U8, new long[] {0, 0, 0, 0}, 2, 2)).run1();
        assertValues(back, 2, 4, 6, 8, 10, 12);
        assertThrows(OpFailure.class, () -> op("QuantizeLinear").attr("axis", 1L).in(x).in(f32(1, 2)).run1());
    }

    @Test
    void float8Targets() {
        Tensor y = op("QuantizeLinear").in(f32(1, 1000, -3)).in(Tensor.scalar(DType.F32, 0.5f))
                .in(Tensor.allocate(DType.F8E4M3FN, Shape.SCALAR)).run1();
        assertEquals(DType.F8E4M3FN, y.dtype());
        assertValues(y, 2, 448, -6);
        Tensor d = op("DequantizeLinear").in(y).in(Tensor.scalar(DType.F32, 0.5f)).run1();
        assertValues(d, 1, 224, -3);
    }

    @Test
    void dequantizeSubtractsZeroPointFirst() {
        Tensor d = op("DequantizeLinear").in(Tensor.fromLongs(DType.U8, new long[] {0, 128, 255}, 3))
                .in(Tensor.scalar(DType.F32, 0.5f)).in(Tensor.scalarLong(DType.U8, 128)).run1();
        assertEquals(DType.F32, d.dtype());
        assertValues(d, -64, 0, 63.5);
        Tensor h = op("DequantizeLinear").in(of(DType.I8, -2)).in(Tensor.scalar(DType.F16, 0.25)).run1();
        assertEquals(DType.F16, h.dtype());
        assertValues(h, -0.5);
    }

    @Test
    void dynamicQuantizeIncludesZeroInTheRange() {
        Object[] r = op("DynamicQuantizeLinear").outputs(3).in(f32(0, 2, -3, -2.5f, 3.34f, -3.1f)).run();
        Tensor y = (Tensor) r[0], scale = (Tensor) r[1], zp = (Tensor) r[2];
        float s = (3.34f - -3.1f) / 255f;
        assertEquals(s, scale.getFloat(0));
        long z = Math.round(Math.rint(3.1f / s));
        assertEquals(z, zp.getLong(0));
        assertEquals(z, y.getLong(0));
        Object[] zeros = op("DynamicQuantizeLinear").outputs(3).in(f32(0, 0)).run();
        assertLongs((Tensor) zeros[0], 0, 0);
    }

    @Property(tries = 100)
    void quantizeThenDequantizeIsWithinHalfAStep(@ForAll @IntRange(min = 1, max = 50) int n, @ForAll long seed) {
        Random r = new Random(seed);
        float scale = 0.01f + r.nextFloat();
        long zp = r.nextInt(256);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextInt(256) - zp) * scale + (r.nextFloat() - 0.5) * scale * 0.98);
        Tensor x = Tensor.of(v, n);
        Tensor q = op("QuantizeLinear").in(x).in(Tensor.scalar(DType.F32, scale)).in(Tensor.scalarLong(DType.U8, zp)).run1();
        Tensor d = op("DequantizeLinear").in(q).in(Tensor.scalar(DType.F32, scale)).in(Tensor.scalarLong(DType.U8, zp)).run1();
        for (int i = 0; i < n; i++) assertEquals(v[i], d.getDouble(i), scale * 0.5 + 1e-6, "element " + i);
    }

    @Property(tries = 60)
    void matMulIntegerMatchesNaive(@ForAll @IntRange(min = 1, max = 5) int m, @ForAll @IntRange(min = 1, max = 5) int k,
                                   @ForAll @IntRange(min = 1, max = 5) int n, @ForAll @IntRange(min = 1, max = 3) int batch, @ForAll long seed) {
        Random r = new Random(seed);
        Tensor a = Tensor.allocate(DType.U8, Shape.of(batch, m, k)), b = Tensor.allocate(DType.I8, Shape.of(k, n));
        for (long i = 0; i < a.numel(); i++) a.setLong(i, r.nextInt(256));
        for (long i = 0; i < b.numel(); i++) b.setLong(i, r.nextInt(256) - 128);
        long az = r.nextInt(256);
        Tensor bz = Tensor.allocate(DType.I8, Shape.of(n));
        for (long i = 0; i < n; i++) bz.setLong(i, r.nextInt(20) - 10);
        Tensor y = op("MatMulInteger").in(a).in(b).in(Tensor.scalarLong(DType.U8, az)).in(bz).run1();
        assertEquals(DType.I32, y.dtype());
        assertEquals(Shape.of(batch, m, n), y.shape());
        for (int bi = 0; bi < batch; bi++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    long s = 0;
                    for (int kk = 0; kk < k; kk++)
                        s += (a.getLong((bi * m + i) * k + kk) - az) * (b.getLong(kk * n + j) - bz.getLong(j));
                    assertEquals(s, y.getLong((bi * m + i) * n + j));
                }
    }

    @Test
    void qlinearMatMulRequantizes() {
        Tensor a = Tensor.fromLongs(DType.U8, new long[] {10, 20}, 1, 2), b = Tensor.fromLongs(DType.U8, new long[] {3, 5}, 2, 1);
        Tensor y = op("QLinearMatMul").opset(21)
                .in(a).in(Tensor.scalar(DType.F32, 0.5f)).in(Tensor.scalarLong(DType.U8, 0))
                .in(b).in(Tensor.scalar(DType.F32, 0.5f)).in(Tensor.scalarLong(DType.U8, 1))
                .in(Tensor.scalar(DType.F32, 2f)).in(Tensor.scalarLong(DType.U8, 100)).run1();
        // (10*2 + 20*4) * 0.25 / 2 = 12.5 -> 12 (even), + 100
        assertLongs(y, 112);
    }
}
