package dev.kiln.codegen.opt.layout;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.kiln.codegen.opt.layout.LayoutTesting.assertRewrites;
import static dev.kiln.codegen.opt.layout.LayoutTesting.assertUnchanged;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ConvToNhwcTest {
    static final String CONV = """
            graph g opset(ai.onnx=17) {
              input %x:float32[1,2,5,5]
              init %w:float32[3,2,1,2] = float32[3,2,1,2]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
              init %b:float32[3] = float32[3]{1, 2, 3}
              %y:float32[1,3,3,4] = Conv[pads=[0, 0, 0, 0], strides=[2, 1]](%x, %w, %b)
              return %y:float32[1,3,3,4]
            }
            """;

    @Test void convBecomesChannelsLastBetweenTransposes() {
        assertRewrites(CONV, """
                graph g opset(ai.onnx=17, dev.kiln=1) {
                  input %x:float32[1,2,5,5]
                  init %b:float32[3] = float32[3]{1.0, 2.0, 3.0}
                  init %conv-nhwc/weight_hwio:float32[1,2,2,3] = float32[1,2,2,3]
                  %conv-nhwc/Transpose:float32[1,5,5,2] = Transpose[perm=[0, 2, 3, 1]](%x)
                  %conv-nhwc/ConvNhwc:float32[1,3,4,3] = dev.kiln.ConvNhwc[strides=[2, 1], pads=[0, 0, 0, 0]](%conv-nhwc/Transpose, %conv-nhwc/weight_hwio, %b)
                  %y:float32[1,3,3,4] = Transpose[perm=[0, 3, 1, 2]](%conv-nhwc/ConvNhwc)
                  return %y:float32[1,3,3,4]
                }
                """, new ConvToNhwc());
    }

    @Test void weightsAreRepackedOnceAsHwio() {
        Graph g = LayoutTesting.run(CONV, new ConvToNhwc());
        Value w = g.initializers().stream().filter(v -> v.name().endsWith("weight_hwio")).findFirst().orElseThrow();
        Tensor t = w.constant();
        assertArrayEquals(new long[]{1, 2, 2, 3}, t.shape().dims());
        // HWIO[0][j][ci][co] = OIHW[co][ci][0][j], OIHW flat index co*4 + ci*2 + j, value index + 1
        for (int j = 0; j < 2; j++)
            for (int ci = 0; ci < 2; ci++)
                for (int co = 0; co < 3; co++)
                    assertEquals(co * 4 + ci * 2 + j + 1, t.getDouble((j * 2 + ci) * 3 + co), "w[" + j + "][" + ci + "][" + co + "]");
    }

    @Test void fusedConvKeepsItsActivation() {
        assertRewrites("""
                graph g opset(ai.onnx=17, dev.kiln=1) {
                  input %x:float32[2,3,4,4]
                  init %w:float32[5,3,3,3] = float32[5,3,3,3]
                  %y:float32[2,5,4,4] = dev.kiln.FusedConv[activation="Clip", activation_max=6.0, activation_min=0.0, pads=[1, 1, 1, 1]](%x, %w)
                  return %y:float32[2,5,4,4]
                }
                """, """
                graph g opset(ai.onnx=17, dev.kiln=1) {
                  input %x:float32[2,3,4,4]
                  init %fusedconv-nhwc/weight_hwio:float32[3,3,3,5] = float32[3,3,3,5]
                  %fusedconv-nhwc/Transpose:float32[2,4,4,3] = Transpose[perm=[0, 2, 3, 1]](%x)
                  %fusedconv-nhwc/ConvNhwc:float32[2,4,4,5] = dev.kiln.ConvNhwc[pads=[1, 1, 1, 1], activation="Clip", activation_min=0.0, activation_max=6.0](%fusedconv-nhwc/Transpose, %fusedconv-nhwc/weight_hwio)
                  %y:float32[2,5,4,4] = Transpose[perm=[0, 3, 1, 2]](%fusedconv-nhwc/ConvNhwc)
                  return %y:float32[2,5,4,4]
                }
                """, new ConvToNhwc());
    }

    @Test void samePaddingOnKnownSpatialDimsBecomesExplicitPads() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[1,1,6,5]
                  init %w:float32[1,1,3,2] = float32[1,1,3,2]
                  %y:float32[1,1,3,5] = Conv[auto_pad="SAME_LOWER", strides=[2, 1]](%x, %w)
                  return %y:float32[1,1,3,5]
                }
                """, """
                graph g opset(ai.onnx=17, dev.kiln=1) {
                  input %x:float32[1,1,6,5]
                  init %conv-nhwc/weight_hwio:float32[3,2,1,1] = float32[3,2,1,1]
                  %conv-nhwc/Transpose:float32[1,6,5,1] = Transpose[perm=[0, 2, 3, 1]](%x)
                  %conv-nhwc/ConvNhwc:float32[1,3,5,1] = dev.kiln.ConvNhwc[strides=[2, 1], pads=[1, 1, 0, 0]](%conv-nhwc/Transpose, %conv-nhwc/weight_hwio)
                  %y:float32[1,1,3,5] = Transpose[perm=[0, 3, 1, 2]](%conv-nhwc/ConvNhwc)
                  return %y:float32[1,1,3,5]
                }
                """, new ConvToNhwc());
    }

    @Test void groupedSamePaddedOnUnknownDimsRuntimeWeightOr1dConvsStay() {
        assertUnchanged("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[1,4,5,5]
                  input %xs:float32[1,4,H,5]
                  input %wr:float32[3,4,3,3]
                  input %x1:float32[1,4,7]
                  init %wg:float32[4,2,3,3] = float32[4,2,3,3]
                  init %w:float32[3,4,3,3] = float32[3,4,3,3]
                  init %w1:float32[3,4,3] = float32[3,4,3]
                  %a:float32[1,4,3,3] = Conv[group=2](%x, %wg)
                  %b:float32[1,3,H,5] = Conv[auto_pad="SAME_UPPER"](%xs, %w)
                  %c:float32[1,3,3,3] = Conv(%x, %wr)
                  %d:float32[1,3,5] = Conv(%x1, %w1)
                  return %a:float32[1,4,3,3], %b:float32[1,3,H,5], %c:float32[1,3,3,3], %d:float32[1,3,5]
                }
                """, new ConvToNhwc());
    }
}
