package dev.kiln.codegen.opt;

import org.junit.jupiter.api.Test;

import static dev.kiln.codegen.opt.PassTesting.assertRewrites;
import static dev.kiln.codegen.opt.PassTesting.assertUnchanged;

class CommonSubexpressionEliminationTest {
    @Test void sameOpSameInputsSameAttributesComputeOnce() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[2]
                  init %one:float32[] = float32[]{1.0}
                  init %uno:float32[] = float32[]{1.0}
                  %a:float32[2] = Add(%x, %one)
                  %b:float32[2] = Add(%x, %uno)
                  %ea:float32[2] = Exp(%a)
                  %eb:float32[2] = Exp(%b)
                  %y:float32[2] = Mul(%ea, %eb)
                  return %y:float32[2]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[2]
                  init %one:float32[] = float32[]{1.0}
                  %a:float32[2] = Add(%x, %one)
                  %ea:float32[2] = Exp(%a)
                  %y:float32[2] = Mul(%ea, %ea)
                  return %y:float32[2]
                }
                """, new CommonSubexpressionElimination());
    }

    @Test void differentAttributesConstantsOrRandomOpsStayApart() {
        assertUnchanged("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[2]
                  init %one:float32[] = float32[]{1.0}
                  init %negzero:float32[] = float32[]{-0.0}
                  init %zero:float32[] = float32[]{0.0}
                  %a:float32[2] = LeakyRelu[alpha=0.1](%x)
                  %b:float32[2] = LeakyRelu[alpha=0.2](%x)
                  %c:float32[2] = Add(%x, %negzero)
                  %d:float32[2] = Add(%x, %zero)
                  %r1:float32[2] = RandomUniformLike(%x)
                  %r2:float32[2] = RandomUniformLike(%x)
                  return %a:float32[2], %b:float32[2], %c:float32[2], %d:float32[2], %r1:float32[2], %r2:float32[2]
                }
                """, new CommonSubexpressionElimination());
    }

    @Test void aDuplicateGraphOutputTakesOverTheSurvivorsNameWhenItCan() {
        assertRewrites("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[2]
                  %a:float32[2] = Relu(%x)
                  %b:float32[2] = Relu(%x)
                  %y:float32[2] = Neg(%a)
                  return %y:float32[2], %b:float32[2]
                }
                """, """
                graph g opset(ai.onnx=17) {
                  input %x:float32[2]
                  %b:float32[2] = Relu(%x)
                  %y:float32[2] = Neg(%b)
                  return %y:float32[2], %b:float32[2]
                }
                """, new CommonSubexpressionElimination());
        assertUnchanged("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[2]
                  %a:float32[2] = Relu(%x)
                  %b:float32[2] = Relu(%x)
                  return %a:float32[2], %b:float32[2]
                }
                """, new CommonSubexpressionElimination());
    }
}
