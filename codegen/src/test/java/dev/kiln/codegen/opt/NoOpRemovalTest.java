package dev.kiln.codegen.opt;

import org.junit.jupiter.api.Test;

import static dev.kiln.codegen.opt.PassTesting.assertRewrites;
import static dev.kiln.codegen.opt.PassTesting.assertUnchanged;

class NoOpRemovalTest {
    @Test void identityDropoutAndSameTypeCastsVanish() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,4]
                  %a:float32[N,4] = Identity(%x)
                  %b:float32[N,4] = Dropout[seed=3](%a)
                  %c:float32[N,4] = Cast[to=1](%b)
                  %d:float32[N,4] = CastLike(%c, %x)
                  %y:float32[N,4] = Relu(%d)
                  return %y:float32[N,4]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,4]
                  %y:float32[N,4] = Relu(%x)
                  return %y:float32[N,4]
                }
                """, new NoOpRemoval());
    }

    @Test void realCastsTrainingDropoutAndUsedMasksStay() {
        assertUnchanged("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,4]
                  input %train:bool[]
                  %c:float16[N,4] = Cast[to=10](%x)
                  %b:float32[N,4] = Dropout(%x, _, %train)
                  %d:float32[N,4], %m:bool[N,4] = Dropout(%x)
                  return %c:float16[N,4], %b:float32[N,4], %d:float32[N,4], %m:bool[N,4]
                }
                """, new NoOpRemoval());
    }

    @Test void anIdentityBetweenTwoGraphOutputsStays() {
        // Removing it would need an Identity to keep the second name: the rule must decline, not loop.
        assertUnchanged("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[2]
                  %y:float32[2] = Identity(%x)
                  return %x:float32[2], %y:float32[2]
                }
                """, new NoOpRemoval());
    }

    @Test void anIdentityProducingAGraphOutputHandsItsNameOver() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[2]
                  %r:float32[2] = Relu(%x)
                  %y:float32[2] = Identity(%r)
                  return %y:float32[2]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[2]
                  %y:float32[2] = Relu(%x)
                  return %y:float32[2]
                }
                """, new NoOpRemoval());
    }

    @Test void reshapeOfReshapeBecomesOneReshape() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[2,6]
                  init %s1:int64[2] = int64[2]{3, 4}
                  init %s2:int64[3] = int64[3]{2, -1, 3}
                  %a:float32[3,4] = Reshape(%x, %s1)
                  %b:float32[2,2,3] = Reshape(%a, %s2)
                  return %b:float32[2,2,3]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[2,6]
                  init %s2:int64[3] = int64[3]{2, -1, 3}
                  %b:float32[2,2,3] = Reshape(%x, %s2)  # reshape-of-reshape/Reshape_node
                  return %b:float32[2,2,3]
                }
                """, new NoOpRemoval());
    }

    @Test void reshapeOfReshapeKeepsBothWhenTheOuterCopiesDims() {
        // 0 copies a dim of the *intermediate* (3), not of x (2): merging would change the result.
        assertUnchanged("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[2,6]
                  init %s1:int64[2] = int64[2]{3, 4}
                  init %s2:int64[3] = int64[3]{0, 2, -1}
                  %a:float32[3,4] = Reshape(%x, %s1)
                  %b:float32[3,2,2] = Reshape(%a, %s2)
                  return %b:float32[3,2,2]
                }
                """, new NoOpRemoval());
    }

    @Test void inverseTransposesCancelOthersCompose() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[2,3,4]
                  %a:float32[3,4,2] = Transpose[perm=[1, 2, 0]](%x)
                  %b:float32[2,3,4] = Transpose[perm=[2, 0, 1]](%a)
                  %c:float32[4,3,2] = Transpose(%b)
                  %d:float32[3,2,4] = Transpose[perm=[1, 2, 0]](%c)
                  return %d:float32[3,2,4]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[2,3,4]
                  %d:float32[3,2,4] = Transpose[perm=[1, 0, 2]](%x)  # transpose-of-transpose/Transpose_node
                  return %d:float32[3,2,4]
                }
                """, new NoOpRemoval(), new NoOpRemoval());
    }

    @Test void reshapeAndExpandToTheSameShapeVanish() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,S,384]
                  init %s:int64[3] = int64[3]{0, -1, 384}
                  init %e:int64[2] = int64[2]{1, 384}
                  %a:float32[N,S,384] = Reshape(%x, %s)
                  %b:float32[N,S,384] = Expand(%a, %e)
                  %y:float32[N,S,384] = Relu(%b)
                  return %y:float32[N,S,384]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,S,384]
                  %y:float32[N,S,384] = Relu(%x)
                  return %y:float32[N,S,384]
                }
                """, new NoOpRemoval());
    }

    @Test void squeezeUnsqueezePairsCancel() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,4]
                  init %ax:int64[1] = int64[1]{-1}
                  init %ax2:int64[1] = int64[1]{2}
                  %u:float32[N,4,1] = Unsqueeze(%x, %ax)
                  %s:float32[N,4] = Squeeze(%u, %ax2)
                  %y:float32[N,4] = Relu(%s)
                  return %y:float32[N,4]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,4]
                  %y:float32[N,4] = Relu(%x)
                  return %y:float32[N,4]
                }
                """, new NoOpRemoval());
        assertUnchanged("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,4]
                  init %ax:int64[1] = int64[1]{1}
                  init %ax2:int64[1] = int64[1]{0}
                  %u:float32[N,1,4] = Unsqueeze(%x, %ax)
                  %s:float32[1,4] = Squeeze(%u, %ax2)
                  return %s:float32[1,4]
                }
                """, new NoOpRemoval());
    }
}
