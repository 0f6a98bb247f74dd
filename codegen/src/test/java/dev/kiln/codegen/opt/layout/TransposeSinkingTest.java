package dev.kiln.codegen.opt.layout;

import dev.kiln.codegen.opt.NoOpRemoval;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.kiln.codegen.opt.layout.LayoutTesting.assertRewrites;
import static dev.kiln.codegen.opt.layout.LayoutTesting.assertUnchanged;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TransposeSinkingTest {
    @Test void transposesBetweenConvolutionsCancelThroughReluAndBias() {
        assertRewrites("""
                graph g opset(ai.onnx=17, dev.kiln=1) {
                  input %x:float32[1,5,5,2]
                  init %w1:float32[1,1,2,3] = float32[1,1,2,3]
                  init %w2:float32[1,1,3,4] = float32[1,1,3,4]
                  init %c:float32[3,1,1] = float32[3,1,1]{1, 2, 3}
                  %a:float32[1,5,5,3] = dev.kiln.ConvNhwc(%x, %w1)
                  %at:float32[1,3,5,5] = Transpose[perm=[0, 3, 1, 2]](%a)
                  %r:float32[1,3,5,5] = Relu(%at)
                  %s:float32[1,3,5,5] = Add(%r, %c)
                  %st:float32[1,5,5,3] = Transpose[perm=[0, 2, 3, 1]](%s)
                  %b:float32[1,5,5,4] = dev.kiln.ConvNhwc(%st, %w2)
                  return %b:float32[1,5,5,4]
                }
                """, """
                graph g opset(ai.onnx=17, dev.kiln=1) {
                  input %x:float32[1,5,5,2]
                  init %w1:float32[1,1,2,3] = float32[1,1,2,3]
                  init %w2:float32[1,1,3,4] = float32[1,1,3,4]
                  init %sink-Add-const-right/permuted:float32[1,1,1,3] = float32[1,1,1,3]{1.0, 2.0, 3.0}
                  %a:float32[1,5,5,3] = dev.kiln.ConvNhwc(%x, %w1)
                  %sink-Relu/Relu:float32[1,5,5,3] = Relu(%a)
                  %sink-Add-const-right/Add:float32[1,5,5,3] = Add(%sink-Relu/Relu, %sink-Add-const-right/permuted)
                  %b:float32[1,5,5,4] = dev.kiln.ConvNhwc(%sink-Add-const-right/Add, %w2)
                  return %b:float32[1,5,5,4]
                }
                """, new TransposeSinking(), new NoOpRemoval());
    }

    @Test void constantOnTheLeftAndMatchingTransposePairsSink() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[2,3,4]
                  input %y:float32[2,3,4]
                  init %c:float32[2] = float32[2]{5, 7}
                  %xt:float32[3,4,2] = Transpose[perm=[1, 2, 0]](%x)
                  %yt:float32[3,4,2] = Transpose[perm=[1, 2, 0]](%y)
                  %s:float32[3,4,2] = Sub(%xt, %yt)
                  %d:float32[3,4,2] = Div(%c, %s)
                  return %d:float32[3,4,2]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[2,3,4]
                  input %y:float32[2,3,4]
                  init %sink-Div-const-left/permuted:float32[2,1,1] = float32[2,1,1]{5.0, 7.0}
                  %sink-Sub-pair/Sub:float32[2,3,4] = Sub(%x, %y)
                  %sink-Div-const-left/Div:float32[2,3,4] = Div(%sink-Div-const-left/permuted, %sink-Sub-pair/Sub)
                  %d:float32[3,4,2] = Transpose[perm=[1, 2, 0]](%sink-Div-const-left/Div)
                  return %d:float32[3,4,2]
                }
                """, new TransposeSinking());
    }

    @Test void broadcastConstantIsPermutedWithTheData() {
        Graph g = LayoutTesting.run("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[1,2,3,1]
                  init %c:float32[3,1,4] = float32[3,1,4]{0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}
                  %xt:float32[1,1,2,3] = Transpose[perm=[0, 3, 1, 2]](%x)
                  %y:float32[1,3,2,4] = Mul(%xt, %c)
                  return %y:float32[1,3,2,4]
                }
                """, new TransposeSinking());
        Value c = g.initializers().stream().filter(v -> v.name().endsWith("permuted")).findFirst().orElseThrow();
        Tensor t = c.constant();
        // c as [1,3,1,4] (dims a,b,h,w) permuted by the inverse of (0,3,1,2), i.e. (0,2,3,1): [1,1,4,3]
        assertArrayEquals(new long[]{1, 1, 4, 3}, t.shape().dims());
        for (int w = 0; w < 4; w++)
            for (int b = 0; b < 3; b++) assertEquals(10 * b + w, t.getDouble(w * 3 + b));
        assertEquals("Transpose", g.nodes().getLast().opType());
    }

    @Test void sharedTransposesRuntimeOperandsAndNonScalarClipBoundsStay() {
        assertUnchanged("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[2,3]
                  input %z:float32[3,2]
                  input %lo:float32[]
                  %xt:float32[3,2] = Transpose[perm=[1, 0]](%x)
                  %a:float32[3,2] = Relu(%xt)
                  %b:float32[3,2] = Add(%xt, %z)
                  %c:float32[3,2] = Clip(%b, %lo)
                  return %a:float32[3,2], %c:float32[3,2]
                }
                """, new TransposeSinking());
    }
}
