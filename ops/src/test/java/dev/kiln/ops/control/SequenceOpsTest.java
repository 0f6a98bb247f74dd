package dev.kiln.ops.control;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kiln.ops.shape.OpRunner.iota;
import static dev.kiln.ops.shape.OpRunner.longs;
import static dev.kiln.ops.shape.OpRunner.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequenceOpsTest {
    private static TensorSequence seqOf(Tensor... t) { return new TensorSequence(t[0].dtype(), List.of(t)); }

    @Test void splitToSequenceThenConcatRoundTrips() {
        Tensor x = iota(5, 2);
        TensorSequence s = (TensorSequence) op("SplitToSequence").in(x).in(Tensor.scalarLong(DType.I64, 2)).run()[0];
        assertEquals(3, s.size());
        assertEquals(Shape.of(1, 2), s.get(2).shape());   // uneven: last chunk is smaller
        Tensor back = op("ConcatFromSequence").attr("axis", 0L).in(s).run1();
        assertArrayEquals(x.toFloatArray(), back.toFloatArray());
        TensorSequence ones = (TensorSequence) op("SplitToSequence").attr("keepdims", 0L).in(x).run()[0];
        assertEquals(Shape.of(2), ones.get(0).shape());
        Tensor stacked = op("ConcatFromSequence").attr("axis", -1L).attr("new_axis", 1L).in(ones).run1();
        assertEquals(Shape.of(2, 5), stacked.shape());
    }

    @Test void insertEraseAtAndLength() {
        Tensor a = iota(1), b = iota(2), c = iota(3);
        TensorSequence s = seqOf(a, b);
        TensorSequence ins = (TensorSequence) op("SequenceInsert").in(s).in(c).in(longs(-1)).run()[0];
        assertEquals(List.of(a, c, b), ins.items());
        TensorSequence end = (TensorSequence) op("SequenceInsert").in(s).in(c).run()[0];
        assertEquals(c, end.get(2));
        TensorSequence er = (TensorSequence) op("SequenceErase").in(ins).run()[0];
        assertEquals(List.of(a, c), er.items());
        assertEquals(b, op("SequenceAt").in(s).in(Tensor.scalarLong(DType.I32, -1)).run1());
        assertThrows(OpFailure.class, () -> op("SequenceAt").in(s).in(Tensor.scalarLong(DType.I64, 2)).run1());
        assertEquals(2, op("SequenceLength").in(s).run1().getLong(0));
        assertThrows(OpFailure.class, () -> op("SequenceInsert").in(s).in(Tensor.ofLongs(new long[]{1}, 1)).run());
        TensorSequence empty = (TensorSequence) op("SequenceEmpty").attr("dtype", 7L).run()[0];
        assertEquals(DType.I64, empty.elementType());
    }

    @Test void optionalsWrapAndUnwrap() {
        OptionalValue some = (OptionalValue) op("Optional").in(iota(2)).run()[0];
        assertTrue(some.isPresent());
        assertEquals("tensor(float)", some.elementType());
        assertTrue(op("OptionalHasElement").in(some).run1().getBoolean(0));
        OptionalValue empty = OptionalValue.empty("tensor(float)");
        assertFalse(op("OptionalHasElement").in(empty).run1().getBoolean(0));
        assertFalse(op("OptionalHasElement").in(null).run1().getBoolean(0));
        assertThrows(OpFailure.class, () -> op("OptionalGetElement").in(empty).run());
        assertEquals(some.value(), op("OptionalGetElement").in(some).run1());
        // Opset 18 also accepts a plain tensor.
        Tensor t = iota(3);
        assertEquals(t, op("OptionalGetElement").in(t).run1());
    }

    @Test void sequenceMapRunsBodyPerElement() {
        Graphs b = new Graphs("map");
        b.input("x");
        b.input("extra");
        b.node("Shape", List.of("x"), "shape");
        b.node("Concat", List.of("shape", "extra"), "y", Attribute.of("axis", 0L));
        b.output("y");
        TensorSequence s = seqOf(iota(2), iota(3, 1));
        TensorSequence out = (TensorSequence) op("SequenceMap").attr("body", b.g).in(s).in(longs(7)).run()[0];
        assertArrayEquals(new long[]{2, 7}, out.get(0).toLongArray());
        assertArrayEquals(new long[]{3, 1, 7}, out.get(1).toLongArray());
    }
}
