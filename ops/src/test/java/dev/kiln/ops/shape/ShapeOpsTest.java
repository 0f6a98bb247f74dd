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

class ShapeOpsTest {
    @Test void reshapeZeroCopiesDimUnlessAllowZero() {
        Tensor x = iota(2, 3, 4);
        assertEquals(Shape.of(2, 12), op("Reshape").in(x).in(longs(0, -1)).run1().shape());
        // allowzero=1: the 0 is literal, so the element counts disagree.
        assertThrows(OpFailure.class, () -> op("Reshape").attr("allowzero", 1L).in(x).in(longs(0, -1)).run1());
        Tensor empty = Tensor.allocate(DType.F32, Shape.of(0, 3));
        assertEquals(Shape.of(3, 0), op("Reshape").attr("allowzero", 1L).in(empty).in(longs(3, 0)).run1().shape());
        assertThrows(OpFailure.class, () -> op("Reshape").in(x).in(longs(-1, -1)).run1());
    }

    @Test void shapeStartEndClamp() {
        Tensor x = iota(2, 3, 4, 5);
        assertArrayEquals(new long[]{3, 4}, op("Shape").attr("start", 1L).attr("end", -1L).in(x).run1().toLongArray());
        assertArrayEquals(new long[]{2, 3, 4, 5}, op("Shape").attr("start", -10L).attr("end", 10L).in(x).run1().toLongArray());
        assertArrayEquals(new long[]{}, op("Shape").attr("start", 3L).attr("end", 1L).in(x).run1().toLongArray());
    }

    @Test void sliceNegativeStepAndInt64Extremes() {
        Tensor x = iota(5);
        Tensor all = op("Slice").in(x).in(longs(-1)).in(longs(Long.MIN_VALUE)).in(longs(0)).in(longs(-1)).run1();
        assertArrayEquals(new float[]{4, 3, 2, 1, 0}, all.toFloatArray());
        Tensor tail = op("Slice").in(x).in(longs(Long.MAX_VALUE)).in(longs(1)).in(null).in(longs(-2)).run1();
        assertArrayEquals(new float[]{4, 2}, tail.toFloatArray());
        Tensor none = op("Slice").in(x).in(longs(3)).in(longs(Long.MAX_VALUE)).in(null).in(longs(Long.MAX_VALUE)).run1();
        assertArrayEquals(new float[]{3}, none.toFloatArray());
        // Opset 1 takes starts/ends/axes as attributes.
        Tensor v1 = op("Slice").opset(1).attr("starts", new long[]{1}).attr("ends", new long[]{3}).attr("axes", new long[]{0}).in(x).run1();
        assertArrayEquals(new float[]{1, 2}, v1.toFloatArray());
        assertThrows(OpFailure.class, () -> op("Slice").in(x).in(longs(0)).in(longs(3)).in(null).in(longs(0)).run1());
    }

    @Test void splitUnevenAndByOpset() {
        Tensor x = iota(7);
        Object[] parts = op("Split").opset(18).attr("num_outputs", 3L).in(x).outputs(3).run();
        assertEquals(Shape.of(3), ((Tensor) parts[0]).shape());
        assertEquals(Shape.of(1), ((Tensor) parts[2]).shape());
        assertArrayEquals(new float[]{6}, ((Tensor) parts[2]).toFloatArray());
        Object[] v11 = op("Split").opset(11).attr("split", new long[]{2, 5}).in(x).outputs(2).run();
        assertEquals(Shape.of(5), ((Tensor) v11[1]).shape());
        Object[] v13 = op("Split").opset(13).in(x).in(longs(4, 3)).outputs(2).run();
        assertArrayEquals(new float[]{4, 5, 6}, ((Tensor) v13[1]).toFloatArray());
        assertThrows(OpFailure.class, () -> op("Split").opset(13).in(x).outputs(2).run());   // 7 does not split evenly
    }

    @Test void squeezeAxesAttributeBeforeOpset13InputAfter() {
        Tensor x = iota(1, 3, 1);
        assertEquals(Shape.of(3, 1), op("Squeeze").opset(11).attr("axes", new long[]{0}).in(x).run1().shape());
        assertEquals(Shape.of(1, 3), op("Squeeze").opset(13).in(x).in(longs(-1)).run1().shape());
        assertEquals(Shape.of(3), op("Squeeze").opset(13).in(x).run1().shape());
        assertThrows(OpFailure.class, () -> op("Squeeze").opset(13).in(x).in(longs(1)).run1());
        assertEquals(Shape.of(1, 1, 3, 1, 1), op("Unsqueeze").opset(13).in(x).in(longs(0, -1)).run1().shape());
    }

    @Test void padModes() {
        Tensor x = Tensor.of(new float[]{1, 2, 3}, 3);
        assertArrayEquals(new float[]{3, 2, 1, 2, 3, 2, 1}, op("Pad").attr("mode", "reflect").in(x).in(longs(2, 2)).run1().toFloatArray());
        assertArrayEquals(new float[]{1, 1, 1, 2, 3, 3}, op("Pad").attr("mode", "edge").in(x).in(longs(2, 1)).run1().toFloatArray());
        assertArrayEquals(new float[]{2, 3, 1, 2, 3, 1}, op("Pad").attr("mode", "wrap").in(x).in(longs(2, 1)).run1().toFloatArray());
        Tensor c = op("Pad").in(x).in(longs(1, -1)).in(Tensor.of(new float[]{9})).run1();
        assertArrayEquals(new float[]{9, 1, 2}, c.toFloatArray());
        // Opset 2: pads and value are attributes.
        Tensor v2 = op("Pad").opset(2).attr("pads", new long[]{0, 1}).attr("value", 7f).in(x).run1();
        assertArrayEquals(new float[]{1, 2, 3, 7}, v2.toFloatArray());
        // Opset 18 axes input pads only the listed axes.
        Tensor m = op("Pad").in(iota(2, 2)).in(longs(1, 0)).in(null).in(longs(-1)).run1();
        assertArrayEquals(new float[]{0, 0, 1, 0, 2, 3}, m.toFloatArray());
    }

    @Test void transposeDefaultReversesAxes() {
        Tensor y = op("Transpose").in(iota(2, 3)).run1();
        assertEquals(Shape.of(3, 2), y.shape());
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, y.toFloatArray());
        assertThrows(OpFailure.class, () -> op("Transpose").attr("perm", new long[]{0, 0}).in(iota(2, 3)).run1());
    }

    @Test void zeroSizeDims() {
        Tensor e = Tensor.allocate(DType.F32, Shape.of(0, 3));
        assertEquals(Shape.of(2, 3), op("Concat").attr("axis", 0L).in(e).in(iota(2, 3)).run1().shape());
        assertEquals(Shape.of(0, 6), op("Tile").in(e).in(longs(5, 2)).run1().shape());
        assertEquals(Shape.of(0, 3), op("Transpose").attr("perm", new long[]{0, 1}).in(e).run1().shape());
        assertEquals(Shape.of(2, 0), op("Gather").in(iota(2, 3)).in(Tensor.ofLongs(new long[0], 0)).attr("axis", 1L).run1().shape());
        assertEquals(Shape.of(0, 3), op("Expand").in(iota(1, 3)).in(longs(0, 1)).run1().shape());
    }

    @Test void expandIsBidirectional() {
        Tensor y = op("Expand").in(iota(3, 1)).in(longs(2, 1, 2)).run1();
        assertEquals(Shape.of(2, 3, 2), y.shape());
        assertArrayEquals(new float[]{0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2}, y.toFloatArray());
        assertThrows(OpFailure.class, () -> op("Expand").in(iota(3)).in(longs(2)).run1());
    }

    @Test void depthToSpaceModes() {
        Tensor x = iota(1, 4, 1, 1);
        assertArrayEquals(new float[]{0, 1, 2, 3}, op("DepthToSpace").attr("blocksize", 2L).in(x).run1().toFloatArray());
        Tensor x2 = iota(1, 8, 1, 1);
        // DCR: depth is [b, b, C']; CRD: depth is [C', b, b].
        assertArrayEquals(new float[]{0, 2, 4, 6, 1, 3, 5, 7}, op("DepthToSpace").attr("blocksize", 2L).in(x2).run1().toFloatArray());
        assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5, 6, 7}, op("DepthToSpace").attr("blocksize", 2L).attr("mode", "CRD").in(x2).run1().toFloatArray());
        Tensor s = op("SpaceToDepth").attr("blocksize", 2L).in(op("DepthToSpace").attr("blocksize", 2L).in(x2).run1()).run1();
        assertArrayEquals(x2.toFloatArray(), s.toFloatArray());
    }

    @Test void outputsAreDenseEvenForViews() {
        Tensor y = op("Slice").in(iota(4, 4)).in(longs(0, 1)).in(longs(4, 4)).in(longs(0, 1)).in(longs(2, 2)).run1();
        assertTrue(y.isContiguous());
        assertArrayEquals(new float[]{1, 3, 9, 11}, y.toFloatArray());
    }

    @Test void hugeShapesFromValuesFailInsteadOfAllocating() {
        assertThrows(OpFailure.class, () -> op("ConstantOfShape").in(longs(1L << 20, 1L << 20)).run1());
        assertThrows(OpFailure.class, () -> op("ConstantOfShape").in(longs(Long.MAX_VALUE, 4)).run1());
        assertThrows(OpFailure.class, () -> op("Expand").in(iota(1)).in(longs(1L << 40)).run1());
        assertThrows(OpFailure.class, () -> op("Tile").in(iota(2)).in(longs(1L << 40)).run1());
        assertThrows(OpFailure.class, () -> op("Pad").in(iota(2)).in(longs(0, 1L << 40)).run1());
        assertThrows(OpFailure.class, () -> op("ConstantOfShape").in(longs(-1)).run1());
    }

    @Test void identityPassesSequencesThrough() {
        var seq = new dev.kiln.tensor.TensorSequence(DType.F32, java.util.List.of(iota(2)));
        assertEquals(seq, op("Identity").in(seq).run()[0]);
    }
}
