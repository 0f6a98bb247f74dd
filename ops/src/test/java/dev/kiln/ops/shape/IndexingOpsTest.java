package dev.kiln.ops.shape;

import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.kiln.ops.shape.OpRunner.iota;
import static dev.kiln.ops.shape.OpRunner.longs;
import static dev.kiln.ops.shape.OpRunner.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexingOpsTest {
    @Test void gatherRejectsOutOfRangeIndices() {
        OpFailure f = assertThrows(OpFailure.class, () -> op("Gather").in(iota(3)).in(longs(3)).run1());
        assertTrue(f.getMessage().contains("out of bounds"), f.getMessage());
        assertArrayEquals(new float[]{2, 0}, op("Gather").in(iota(3)).in(longs(-1, -3)).run1().toFloatArray());
    }

    @Test void gatherScalarIndexDropsTheAxis() {
        Tensor y = op("Gather").attr("axis", 1L).in(iota(2, 3)).in(Tensor.scalarLong(DType.I64, 2)).run1();
        assertEquals(Shape.of(2), y.shape());
        assertArrayEquals(new float[]{2, 5}, y.toFloatArray());
    }

    @Test void gatherNDWithBatchDims() {
        // data [2,2,2], batch_dims=1, indices [2,1]: picks row idx of each batch.
        Tensor y = op("GatherND").attr("batch_dims", 1L).in(iota(2, 2, 2)).in(Tensor.ofLongs(new long[]{1, 0}, 2, 1)).run1();
        assertEquals(Shape.of(2, 2), y.shape());
        assertArrayEquals(new float[]{2, 3, 4, 5}, y.toFloatArray());
    }

    @Test void scatterElementsReductions() {
        Tensor data = Tensor.of(new float[]{1, 2, 3, 4}, 4);
        Tensor idx = longs(1, 1, -1);
        Tensor upd = Tensor.of(new float[]{10, 20, 5}, 3);
        assertArrayEquals(new float[]{1, 20, 3, 5}, op("ScatterElements").in(data).in(idx).in(upd).run1().toFloatArray());
        assertArrayEquals(new float[]{1, 32, 3, 9}, op("ScatterElements").attr("reduction", "add").in(data).in(idx).in(upd).run1().toFloatArray());
        assertArrayEquals(new float[]{1, 400, 3, 20}, op("ScatterElements").attr("reduction", "mul").in(data).in(idx).in(upd).run1().toFloatArray());
        assertArrayEquals(new float[]{1, 20, 3, 5}, op("ScatterElements").attr("reduction", "max").in(data).in(idx).in(upd).run1().toFloatArray());
        assertArrayEquals(new float[]{1, 2, 3, 4}, op("ScatterElements").attr("reduction", "min").in(data).in(idx).in(upd).run1().toFloatArray());
        // max/min arrived in opset 18.
        assertThrows(OpFailure.class, () -> op("ScatterElements").opset(16).attr("reduction", "max").in(data).in(idx).in(upd).run1());
        // Inputs are never modified.
        assertArrayEquals(new float[]{1, 2, 3, 4}, data.toFloatArray());
    }

    @Test void scatterNDSlicesAndIntegerReduction() {
        Tensor data = Tensor.ofLongs(new long[]{1, 2, 3, 4}, 2, 2);
        Tensor y = op("ScatterND").attr("reduction", "add").in(data).in(Tensor.ofLongs(new long[]{1, 1}, 2, 1))
                .in(Tensor.ofLongs(new long[]{10, 20, 100, 200}, 2, 2)).run1();
        assertArrayEquals(new long[]{1, 2, 113, 224}, y.toLongArray());
        assertThrows(OpFailure.class, () -> op("ScatterND").in(data).in(Tensor.ofLongs(new long[]{2}, 1, 1))
                .in(Tensor.ofLongs(new long[]{0, 0}, 1, 2)).run1());
    }

    @Test void tensorScatterCircularWraps() {
        Tensor past = Tensor.allocate(DType.F32, Shape.of(1, 4, 1));
        Tensor upd = Tensor.of(new float[]{7, 8}, 1, 2, 1);
        Tensor y = op("TensorScatter").attr("mode", "circular").in(past).in(upd).in(longs(3)).run1();
        assertArrayEquals(new float[]{8, 0, 0, 7}, y.toFloatArray());
        assertThrows(OpFailure.class, () -> op("TensorScatter").in(past).in(upd).in(longs(3)).run1());
    }

    @Test void topKTiesKeepLowerIndexFirst() {
        Tensor x = Tensor.of(new float[]{3, 1, 3, 2, 3}, 5);
        Object[] r = op("TopK").in(x).in(longs(3)).outputs(2).run();
        assertArrayEquals(new float[]{3, 3, 3}, ((Tensor) r[0]).toFloatArray());
        assertArrayEquals(new long[]{0, 2, 4}, ((Tensor) r[1]).toLongArray());
        Object[] s = op("TopK").attr("largest", 0L).in(x).in(longs(2)).outputs(2).run();
        assertArrayEquals(new long[]{1, 3}, ((Tensor) s[1]).toLongArray());
        assertThrows(OpFailure.class, () -> op("TopK").in(x).in(longs(6)).outputs(2).run());
    }

    @Test void topKTreatsSignedZerosAsTiesAndNaNAsLargest() {
        Tensor x = Tensor.of(new float[]{-0.0f, 0.0f, Float.NaN, 1}, 4);
        Object[] r = op("TopK").in(x).in(longs(4)).outputs(2).run();
        assertArrayEquals(new long[]{2, 3, 0, 1}, ((Tensor) r[1]).toLongArray());
        Object[] s = op("TopK").attr("largest", 0L).in(x).in(longs(4)).outputs(2).run();
        assertArrayEquals(new long[]{0, 1, 3, 2}, ((Tensor) s[1]).toLongArray());
    }

    @Test void topKAlongInnerAxis() {
        Object[] r = op("TopK").attr("axis", 0L).in(Tensor.of(new float[]{1, 9, 5, 2}, 2, 2)).in(longs(1)).outputs(2).run();
        assertArrayEquals(new float[]{5, 9}, ((Tensor) r[0]).toFloatArray());
        assertArrayEquals(new long[]{1, 0}, ((Tensor) r[1]).toLongArray());
    }

    @Test void uniqueSortedAndUnsorted() {
        Tensor x = Tensor.of(new float[]{2, 1, 1, 3, 4, 3}, 6);
        Object[] s = op("Unique").in(x).outputs(4).run();
        assertArrayEquals(new float[]{1, 2, 3, 4}, ((Tensor) s[0]).toFloatArray());
        assertArrayEquals(new long[]{1, 0, 3, 4}, ((Tensor) s[1]).toLongArray());
        assertArrayEquals(new long[]{1, 0, 0, 2, 3, 2}, ((Tensor) s[2]).toLongArray());
        assertArrayEquals(new long[]{2, 1, 2, 1}, ((Tensor) s[3]).toLongArray());
        Object[] u = op("Unique").attr("sorted", 0L).in(x).outputs(4).run();
        assertArrayEquals(new float[]{2, 1, 3, 4}, ((Tensor) u[0]).toFloatArray());
        assertArrayEquals(new long[]{0, 1, 1, 2, 3, 2}, ((Tensor) u[2]).toLongArray());
    }

    @Test void uniqueAlongAxisComparesWholeSlices() {
        Tensor x = Tensor.of(new float[]{1, 0, 0, 1, 0, 0, 2, 3, 4}, 3, 3);
        Object[] r = op("Unique").attr("axis", 0L).in(x).outputs(4).run();
        assertEquals(Shape.of(2, 3), ((Tensor) r[0]).shape());
        assertArrayEquals(new float[]{1, 0, 0, 2, 3, 4}, ((Tensor) r[0]).toFloatArray());
        assertArrayEquals(new long[]{2, 1}, ((Tensor) r[3]).toLongArray());
    }

    @Test void compressWithAndWithoutAxis() {
        Tensor x = iota(2, 3);
        Tensor c = Tensor.ofBooleans(new boolean[]{false, true}, 2);
        assertArrayEquals(new float[]{3, 4, 5}, op("Compress").attr("axis", 0L).in(x).in(c).run1().toFloatArray());
        assertArrayEquals(new float[]{1}, op("Compress").in(x).in(c).run1().toFloatArray());
    }

    @Test void nonZeroListsCoordinatesPerAxis() {
        Tensor y = op("NonZero").in(Tensor.of(new float[]{0, 1, 1, 0}, 2, 2)).run1();
        assertEquals(Shape.of(2, 2), y.shape());
        assertArrayEquals(new long[]{0, 1, 1, 0}, y.toLongArray());
    }

    @Test void oneHotNegativeAndOutOfRange() {
        Tensor y = op("OneHot").in(longs(-1, 5, 0)).in(longs(3)).in(Tensor.of(new float[]{0, 1}, 2)).run1();
        assertEquals(Shape.of(3, 3), y.shape());
        assertArrayEquals(new float[]{0, 0, 1, 0, 0, 0, 1, 0, 0}, y.toFloatArray());
    }

    @Test void rangeIntegerAndFloat() {
        assertArrayEquals(new long[]{10, 7, 4}, op("Range").in(Tensor.scalarLong(DType.I64, 10)).in(Tensor.scalarLong(DType.I64, 2))
                .in(Tensor.scalarLong(DType.I64, -3)).run1().toLongArray());
        assertEquals(Shape.of(0), op("Range").in(Tensor.scalar(DType.F32, 1)).in(Tensor.scalar(DType.F32, 0))
                .in(Tensor.scalar(DType.F32, 1)).run1().shape());
    }

    @Test void triluKeepsBandAroundK() {
        Tensor x = iota(3, 3);
        assertArrayEquals(new float[]{0, 1, 2, 0, 4, 5, 0, 0, 8}, op("Trilu").in(x).run1().toFloatArray());
        assertArrayEquals(new float[]{0, 0, 0, 3, 0, 0, 6, 7, 0}, op("Trilu").attr("upper", 0L).in(x).in(Tensor.scalarLong(DType.I64, -1)).run1().toFloatArray());
    }
}
