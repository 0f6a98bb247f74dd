package dev.kiln.codegen.opt;

import dev.kiln.graph.pass.FixedPoint;
import org.junit.jupiter.api.Test;

import static dev.kiln.codegen.opt.PassTesting.assertRewrites;

class ShapeSimplificationTest {
    /** The exporter's reshape-to-heads chain, batch and sequence symbolic, hidden size known. */
    static final String HEADS = """
            graph g opset(ai.onnx=17) {
              input %x:float32[N,S,384]
              init %i0:int64[] = int64[]{0}
              init %i1:int64[] = int64[]{1}
              init %i2:int64[] = int64[]{-1}
              init %ax:int64[1] = int64[1]{0}
              init %heads:int64[1] = int64[1]{12}
              init %h:int64[] = int64[]{12}
              %sh:int64[3] = Shape(%x)
              %d0:int64[] = Gather[axis=0](%sh, %i0)
              %d1:int64[] = Gather[axis=0](%sh, %i1)
              %d2:int64[] = Gather[axis=0](%sh, %i2)
              %hd:int64[] = Div(%d2, %h)
              %u0:int64[1] = Unsqueeze(%d0, %ax)
              %u1:int64[1] = Unsqueeze(%d1, %ax)
              %u3:int64[1] = Unsqueeze(%hd, %ax)
              %t:int64[4] = Concat[axis=0](%u0, %u1, %heads, %u3)
              %y:float32[N,S,12,32] = Reshape(%x, %t)
              return %y:float32[N,S,12,32]
            }
            """;

    @Test void knownDimsFoldAndOwnDimsBecomeCopies() {
        assertRewrites(HEADS, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,S,384]
                  init %ax:int64[1] = int64[1]{0}
                  init %heads:int64[1] = int64[1]{12}
                  init %h:int64[] = int64[]{12}
                  init %d2:int64[] = int64[]{384}
                  init %u0_copy:int64[1] = int64[1]{0}
                  init %u1_copy:int64[1] = int64[1]{0}
                  %hd:int64[] = Div(%d2, %h)
                  %u3:int64[1] = Unsqueeze(%hd, %ax)
                  %t:int64[4] = Concat[axis=0](%u0_copy, %u1_copy, %heads, %u3)
                  %y:float32[N,S,12,32] = Reshape(%x, %t)
                  return %y:float32[N,S,12,32]
                }
                """, new ShapeSimplification());
    }

    @Test void withFoldingTheWholeTargetBecomesConstant() {
        assertRewrites(HEADS, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,S,384]
                  init %t:int64[4] = int64[4]{0, 0, 12, 32}
                  %y:float32[N,S,12,32] = Reshape(%x, %t)
                  return %y:float32[N,S,12,32]
                }
                """, new FixedPoint("f", 8, new ShapeSimplification(), new ConstantFolding(), new DeadCodeElimination()));
    }

    @Test void symbolicDimsThatAreNotCopiedStay() {
        // The sequence dim moves to position 0: it is not "dim 0 of x", so it must still be read at run time.
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,S]
                  init %i1:int64[] = int64[]{1}
                  init %ax:int64[1] = int64[1]{0}
                  init %rest:int64[1] = int64[1]{-1}
                  %sh:int64[2] = Shape(%x)
                  %n:int64[] = Size(%sh)
                  %d1:int64[] = Gather[axis=0](%sh, %i1)
                  %u1:int64[1] = Unsqueeze(%d1, %ax)
                  %t:int64[2] = Concat[axis=0](%u1, %rest)
                  %y:float32[S,N] = Reshape(%x, %t)
                  return %y:float32[S,N], %n:int64[]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,S]
                  init %i1:int64[] = int64[]{1}
                  init %ax:int64[1] = int64[1]{0}
                  init %rest:int64[1] = int64[1]{-1}
                  init %n:int64[] = int64[]{2}
                  %sh:int64[2] = Shape(%x)
                  %d1:int64[] = Gather[axis=0](%sh, %i1)
                  %u1:int64[1] = Unsqueeze(%d1, %ax)
                  %t:int64[2] = Concat[axis=0](%u1, %rest)
                  %y:float32[S,N] = Reshape(%x, %t)
                  return %y:float32[S,N], %n:int64[]
                }
                """, new ShapeSimplification());
    }

    @Test void sliceOfShapeFoldsTheKnownTail() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,8,4]
                  init %s:int64[1] = int64[1]{1}
                  init %e:int64[1] = int64[1]{9223372036854775807}
                  %sh:int64[3] = Shape(%x)
                  %tail:int64[2] = Slice(%sh, %s, %e)
                  %sh2:int64[2] = Shape[start=-2](%x)
                  %y:int64[2] = Add(%tail, %sh2)
                  return %y:int64[2]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,8,4]
                  init %tail:int64[2] = int64[2]{8, 4}
                  init %sh2:int64[2] = int64[2]{8, 4}
                  %y:int64[2] = Add(%tail, %sh2)
                  return %y:int64[2]
                }
                """, new ShapeSimplification());
    }
}
