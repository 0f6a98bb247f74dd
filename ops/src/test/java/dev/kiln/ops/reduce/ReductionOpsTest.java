package dev.kiln.ops.reduce;

import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.kiln.ops.math.MathRun.*;
import static org.junit.jupiter.api.Assertions.*;

class ReductionOpsTest {
    static Tensor iota(long... dims) {
        long n = 1;
        for (long d : dims) n *= d;
        float[] f = new float[(int) n];
        for (int i = 0; i < f.length; i++) f[i] = i;
        return Tensor.of(f, dims);
    }

    @Test
    void axesMoveFromAttributeToInput() {
        Tensor x = iota(2, 3);
        Tensor a = op("ReduceSum").opset(11).attr("axes", new long[] {1}).attr("keepdims", 0L).in(x).run1();
        Tensor b = op("ReduceSum").opset(13).attr("keepdims", 0L).in(x).in(i64(-1)).run1();
        assertEquals(Shape.of(2), a.shape());
        assertValues(a, 3, 12);
        assertValues(b, 3, 12);
        Tensor m = op("ReduceMean").opset(18).in(x).in(i64(0)).run1();
        assertEquals(Shape.of(1, 3), m.shape());
        assertValues(m, 1.5, 2.5, 3.5);
        Tensor legacy = op("ReduceMean").opset(17).attr("axes", new long[] {0}).in(x).run1();
        assertValues(legacy, 1.5, 2.5, 3.5);
    }

    @Test
    void emptyAxesReduceAllUnlessNoop() {
        Tensor x = iota(2, 3);
        Tensor all = op("ReduceSum").opset(13).in(x).run1();
        assertEquals(Shape.of(1, 1), all.shape());
        assertValues(all, 15);
        Tensor same = op("ReduceSum").opset(13).attr("noop_with_empty_axes", 1L).in(x).in(Tensor.ofLongs(new long[0], 0)).run1();
        assertEquals(x.shape(), same.shape());
        assertValues(same, 0, 1, 2, 3, 4, 5);
    }

    @Test
    void reducingNothingGivesTheIdentity() {
        Tensor x = Tensor.allocate(DType.F32, Shape.of(2, 0));
        assertValues(op("ReduceSum").opset(13).in(x).in(i64(1)).run1(), 0, 0);
        assertValues(op("ReduceProd").in(x).in(i64(1)).run1(), 1, 1);
        assertValues(op("ReduceMax").in(x).in(i64(1)).run1(), Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
        assertValues(op("ReduceMin").in(x).in(i64(1)).run1(), Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
        assertValues(op("ReduceLogSumExp").in(x).in(i64(1)).run1(), Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
        assertValues(op("ReduceMean").in(x).in(i64(1)).run1(), Double.NaN, Double.NaN);
        Tensor xi = Tensor.allocate(DType.I32, Shape.of(0, 2));
        assertLongs(op("ReduceMax").in(xi).in(i64(0)).run1(), Integer.MIN_VALUE, Integer.MIN_VALUE);
        assertLongs(op("ReduceMin").in(Tensor.allocate(DType.U8, Shape.of(0))).in(i64(0)).run1(), 255);
        assertEquals(Shape.of(0, 1), op("ReduceSum").opset(13).in(Tensor.allocate(DType.F32, Shape.of(0, 3))).in(i64(1)).run1().shape());
    }

    @Test
    void normsAndLogReductions() {
        Tensor x = f32(3, -4);
        assertValues(op("ReduceL1").in(x).run1(), 7);
        assertValues(op("ReduceL2").in(x).run1(), 5);
        assertValues(op("ReduceSumSquare").in(x).run1(), 25);
        assertValues(op("ReduceLogSum").in(f32(1, 2)).run1(), Math.log(3));
        // Large inputs stay finite: log(e^1000 + e^1000) = 1000 + log 2.
        assertValues(op("ReduceLogSumExp").in(f32(1000, 1000)).run1(), 1000 + Math.log(2));
        assertLongs(op("ReduceProd").in(of(DType.I64, 2, 3, -4)).run1(), -24);
        assertLongs(op("ReduceMax").opset(20).in(Tensor.ofBooleans(new boolean[] {false, true}, 2)).run1(), 1);
    }

    @Test
    void argMaxAndArgMin() {
        Tensor x = Tensor.of(new float[] {1, 3, 3, 0, 0, -1}, 2, 3);
        Tensor first = op("ArgMax").attr("axis", 1L).in(x).run1();
        assertEquals(DType.I64, first.dtype());
        assertEquals(Shape.of(2, 1), first.shape());
        assertLongs(first, 1, 0);
        assertLongs(op("ArgMax").attr("axis", 1L).attr("select_last_index", 1L).in(x).run1(), 2, 1);
        Tensor mins = op("ArgMin").attr("axis", 0L).attr("keepdims", 0L).in(x).run1();
        assertEquals(Shape.of(3), mins.shape());
        assertLongs(mins, 1, 1, 1);
        assertLongs(op("ArgMax").in(f32(1, Float.NaN, 5)).run1(), 1);
    }

    @Test
    void cumulativeScans() {
        Tensor x = f32(1, 2, 3);
        assertValues(op("CumSum").in(x).in(i64(0)).run1(), 1, 3, 6);
        assertValues(op("CumSum").attr("exclusive", 1L).in(x).in(i64(0)).run1(), 0, 1, 3);
        assertValues(op("CumSum").attr("reverse", 1L).in(x).in(i64(0)).run1(), 6, 5, 3);
        assertValues(op("CumSum").attr("exclusive", 1L).attr("reverse", 1L).in(x).in(i64(0)).run1(), 5, 3, 0);
        assertValues(op("CumProd").opset(26).in(x).in(i64(0)).run1(), 1, 2, 6);
        assertValues(op("CumSum").in(iota(2, 3)).in(i64(-1)).run1(), 0, 1, 3, 3, 7, 12);
        assertLongs(op("CumSum").in(of(DType.I32, 5, 6)).in(of(DType.I32, 0)).run1(), 5, 11);
    }

    @Test
    void lpNormalization() {
        assertValues(op("LpNormalization").in(Tensor.of(new float[] {3, 4, 0, 0}, 2, 2)).run1(), 0.6, 0.8, 0, 0);
        assertValues(op("LpNormalization").attr("p", 1L).attr("axis", 0L).in(Tensor.of(new float[] {1, 2, 3, 2}, 2, 2)).run1(), 0.25, 0.5, 0.75, 0.5);
    }

    @Test
    void badAxesAreTypedErrors() {
        assertThrows(OpFailure.class, () -> op("ReduceSum").opset(13).in(iota(2)).in(i64(3)).run1());
        assertThrows(OpFailure.class, () -> op("ReduceSum").opset(13).in(iota(2, 2)).in(i64(0, -2)).run1());
        assertThrows(OpFailure.class, () -> op("ArgMax").attr("axis", 2L).in(iota(2, 2)).run1());
        assertThrows(OpFailure.class, () -> op("ReduceSum").opset(13).in(iota(2, 2)).in(f32(0)).run1());
    }
}
