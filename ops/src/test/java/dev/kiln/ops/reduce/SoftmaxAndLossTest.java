package dev.kiln.ops.reduce;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.kiln.ops.math.MathRun.*;
import static org.junit.jupiter.api.Assertions.*;

class SoftmaxAndLossTest {
    @Test
    void opset11CoercesTo2DWhileOpset13UsesOneAxis() {
        Tensor x = Tensor.of(new float[] {0, 1, 2, 3}, 2, 2);
        // opset 11, axis 0: the whole tensor is one row of 4.
        Tensor a = op("Softmax").opset(11).attr("axis", 0L).in(x).run1();
        double z = 1 + Math.E + Math.exp(2) + Math.exp(3);
        assertValues(a, 1 / z, Math.E / z, Math.exp(2) / z, Math.exp(3) / z);
        // opset 13, axis 0: columns.
        Tensor b = op("Softmax").opset(13).attr("axis", 0L).in(x).run1();
        double c = 1 / (1 + Math.exp(2));
        assertValues(b, c, c, 1 - c, 1 - c);
        // Default axis: 1 before 13 (rows of the 2-D view), -1 after.
        double lo = 1 / (1 + Math.E), hi = Math.E / (1 + Math.E);
        assertValues(op("Softmax").opset(11).in(x).run1(), lo, hi, lo, hi);
    }

    @Test
    void largeInputsAreStable() {
        Tensor y = op("Softmax").in(f32(1000, 1001)).run1();
        assertValues(y, 1 / (1 + Math.E), Math.E / (1 + Math.E));
        Tensor l = op("LogSoftmax").in(f32(1000, 1000)).run1();
        assertValues(l, -Math.log(2), -Math.log(2));
    }

    @Test
    void hardmaxMarksTheFirstMaximum() {
        assertValues(op("Hardmax").in(Tensor.of(new float[] {1, 3, 3, 2, 0, 1}, 2, 3)).run1(), 0, 1, 0, 1, 0, 0);
    }

    @Test
    void nllLossIgnoresIndexAndDividesByAppliedWeights() {
        Tensor logp = Tensor.of(new float[] {-1, -2, -3, -4, -5, -6}, 3, 2);
        Tensor target = i64(0, 1, 1);
        Tensor w = f32(2, 3);
        Tensor none = op("NegativeLogLikelihoodLoss").attr("reduction", "none").in(logp).in(target).in(w).run1();
        assertValues(none, 2, 12, 18);
        Tensor mean = op("NegativeLogLikelihoodLoss").attr("ignore_index", 1L).in(logp).in(target).in(w).run1();
        assertEquals(Shape.SCALAR, mean.shape());
        assertValues(mean, 1);   // only target 0 counts: 2 / 2
        Tensor sum = op("NegativeLogLikelihoodLoss").attr("reduction", "sum").in(logp).in(target).run1();
        assertValues(sum, 1 + 4 + 6);
    }

    @Test
    void softmaxCrossEntropyReturnsLogProb() {
        Tensor scores = Tensor.of(new float[] {0, 0, 1, 1}, 2, 2);
        Object[] r = op("SoftmaxCrossEntropyLoss").outputs(2).in(scores).in(i64(0, 1)).run();
        assertValues((Tensor) r[0], Math.log(2));
        assertValues((Tensor) r[1], -Math.log(2), -Math.log(2), -Math.log(2), -Math.log(2));
        Tensor perPixel = op("SoftmaxCrossEntropyLoss").attr("reduction", "none").in(Tensor.of(new float[] {0, 0, 0, 0, 0, 0, 0, 0}, 1, 2, 4))
                .in(Tensor.ofLongs(new long[] {0, 1, 0, 1}, 1, 4)).run1();
        assertEquals(Shape.of(1, 4), perPixel.shape());
        assertEquals(DType.F32, perPixel.dtype());
    }
}
