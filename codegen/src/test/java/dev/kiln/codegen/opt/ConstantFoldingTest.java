package dev.kiln.codegen.opt;

import org.junit.jupiter.api.Test;

import static dev.kiln.codegen.opt.PassTesting.assertRewrites;
import static dev.kiln.codegen.opt.PassTesting.assertUnchanged;

class ConstantFoldingTest {
    @Test void foldsChainsOfConstantsAndConstantNodesIntoInitializers() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[2]
                  init %a:float32[2] = float32[2]{1.0, 2.0}
                  %c:int64[2] = Constant[value=int64[2]{3, 4}]()
                  %s:float32[2] = Add(%a, %a)
                  %y:float32[2] = Mul(%x, %s)
                  %cf:float32[2] = Cast[to=1](%c)
                  %z:float32[2] = Add(%y, %cf)
                  return %z:float32[2]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[2]
                  init %a:float32[2] = float32[2]{1.0, 2.0}
                  init %c:int64[2] = int64[2]{3, 4}
                  init %s:float32[2] = float32[2]{2.0, 4.0}
                  init %cf:float32[2] = float32[2]{3.0, 4.0}
                  %y:float32[2] = Mul(%x, %s)
                  %z:float32[2] = Add(%y, %cf)
                  return %z:float32[2]
                }
                """, new ConstantFolding());
    }

    @Test void aFoldedGraphOutputKeepsItsName() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  init %a:int64[3] = int64[3]{1, 2, 3}
                  %s:int64[] = ReduceSum[keepdims=0](%a)
                  return %s:int64[]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  init %a:int64[3] = int64[3]{1, 2, 3}
                  init %s:int64[] = int64[]{6}
                  return %s:int64[]
                }
                """, new ConstantFolding());
    }

    @Test void leavesRandomTrainingOverridableAndHugeResultsAlone() {
        assertUnchanged("""
                graph g opset(ai.onnx=17) {
                  input+init %d:float32[2]
                  init %shape:int64[2] = int64[2]{2, 3}
                  init %big:int64[2] = int64[2]{2048, 1024}
                  init %t:bool[] = bool[]{1}
                  init %r:float32[2] = float32[2]{0.5, 0.5}
                  %n:float32[2,3] = RandomNormal[shape=[2, 3]]()
                  %u:float32[2,3] = RandomUniformLike(%n)
                  %e:float32[2] = Exp(%d)
                  %z:float32[2048,1024] = ConstantOfShape(%big)
                  %o:float32[2] = Dropout(%r, _, %t)
                  return %n:float32[2,3], %u:float32[2,3], %e:float32[2], %z:float32[2048,1024], %o:float32[2]
                }
                """, new ConstantFolding());
    }

    @Test void inferenceDropoutFolds() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  init %r:float32[2] = float32[2]{0.5, 1.5}
                  %o:float32[2] = Dropout(%r)
                  return %o:float32[2]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  init %r:float32[2] = float32[2]{0.5, 1.5}
                  init %o:float32[2] = float32[2]{0.5, 1.5}
                  return %o:float32[2]
                }
                """, new ConstantFolding());
    }
}
