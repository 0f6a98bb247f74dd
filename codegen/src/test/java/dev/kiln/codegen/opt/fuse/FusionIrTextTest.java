package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Graph;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassPipeline;
import dev.kiln.graph.text.IrParser;
import dev.kiln.graph.text.IrPrinter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Before / Expected IR text for the fusions on the exact shapes all-MiniLM-L6-v2's export has (TVM style). */
class FusionIrTextTest {
    static void assertRewrites(String before, String expected, Pass... passes) {
        Graph g = IrParser.parse(before, IrParser.Options.ZERO_FILL);
        new PassPipeline("test", List.of(passes)).run(g, GraphKit.ctx());
        // node names (the printer's trailing comments) are derived from rule names; the structure is what counts
        assertEquals(strip(IrPrinter.print(IrParser.parse(expected, IrParser.Options.ZERO_FILL))), strip(IrPrinter.print(g)));
    }

    static String strip(String ir) { return ir.replaceAll("(?m)  # .*$", ""); }

    @Test void residualLayerNormBecomesSkipLayerNorm() {
        assertRewrites("""
                graph g opset(ai.onnx=11) {
                  input %h:float32[B,S,384]
                  input %r:float32[B,S,384]
                  input %w:float32[384]
                  input %b:float32[384]
                  %sum:float32[B,S,384] = Add(%h, %r)
                  %mean:float32[B,S,1] = ReduceMean[axes=[-1]](%sum)
                  %d:float32[B,S,384] = Sub(%sum, %mean)
                  %two:float32[] = Constant[value=float32[]{2.0}]()
                  %sq:float32[B,S,384] = Pow(%d, %two)
                  %var:float32[B,S,1] = ReduceMean[axes=[-1]](%sq)
                  %eps:float32[] = Constant[value=float32[]{1.0E-12}]()
                  %ve:float32[B,S,1] = Add(%var, %eps)
                  %sd:float32[B,S,1] = Sqrt(%ve)
                  %n:float32[B,S,384] = Div(%d, %sd)
                  %m:float32[B,S,384] = Mul(%n, %w)
                  %y:float32[B,S,384] = Add(%m, %b)
                  return %y:float32[B,S,384]
                }
                """, """
                graph g opset(ai.onnx=11, dev.kiln=1) {
                  input %h:float32[B,S,384]
                  input %r:float32[B,S,384]
                  input %w:float32[384]
                  input %b:float32[384]
                  %y:float32[B,S,384] = dev.kiln.SkipLayerNorm[axis=-1, epsilon=1.0E-12](%h, %r, %w, %b)
                  return %y:float32[B,S,384]
                }
                """, new LayerNormFusion(), new SkipLayerNormFusion());
    }

    @Test void feedForwardBiasAndGeluLandInTheEpilogue() {
        assertRewrites("""
                graph g opset(ai.onnx=11) {
                  input %x:float32[B,S,384]
                  input %w:float32[384,1536]
                  input %bias:float32[1536]
                  %mm:float32[B,S,1536] = MatMul(%x, %w)
                  %a:float32[B,S,1536] = Add(%bias, %mm)
                  %c:float32[] = Constant[value=float32[]{1.4142135}]()
                  %q:float32[B,S,1536] = Div(%a, %c)
                  %e:float32[B,S,1536] = Erf(%q)
                  %one:float32[] = Constant[value=float32[]{1.0}]()
                  %h:float32[B,S,1536] = Add(%e, %one)
                  %p:float32[B,S,1536] = Mul(%a, %h)
                  %half:float32[] = Constant[value=float32[]{0.5}]()
                  %y:float32[B,S,1536] = Mul(%p, %half)
                  return %y:float32[B,S,1536]
                }
                """, """
                graph g opset(ai.onnx=11, dev.kiln=1) {
                  input %x:float32[B,S,384]
                  input %w:float32[384,1536]
                  input %bias:float32[1536]
                  %y:float32[B,S,1536] = dev.kiln.FusedMatMul[activation="Gelu"](%x, %w, %bias)
                  return %y:float32[B,S,1536]
                }
                """, new GeluFusion(), new MatMulBiasFusion());
    }

    @Test void bertSelfAttentionBecomesOneNode() {
        assertRewrites("""
                graph g opset(ai.onnx=11) {
                  input %q:float32[B,S,12,32]
                  input %k:float32[B,S,12,32]
                  input %v:float32[B,S,12,32]
                  input %mask:float32[B,1,1,S]
                  %qt:float32[B,12,S,32] = Transpose[perm=[0, 2, 1, 3]](%q)
                  %kt:float32[B,12,32,S] = Transpose[perm=[0, 2, 3, 1]](%k)
                  %vt:float32[B,12,S,32] = Transpose[perm=[0, 2, 1, 3]](%v)
                  %s:float32[B,12,S,S] = MatMul(%qt, %kt)
                  %c:float32[] = Constant[value=float32[]{8.0}]()
                  %sc:float32[B,12,S,S] = Div(%s, %c)
                  %sm:float32[B,12,S,S] = Add(%sc, %mask)
                  %p:float32[B,12,S,S] = Softmax[axis=3](%sm)
                  %o:float32[B,12,S,32] = MatMul(%p, %vt)
                  %y:float32[B,S,12,32] = Transpose[perm=[0, 2, 1, 3]](%o)
                  return %y:float32[B,S,12,32]
                }
                """, """
                graph g opset(ai.onnx=11, dev.kiln=1) {
                  input %q:float32[B,S,12,32]
                  input %k:float32[B,S,12,32]
                  input %v:float32[B,S,12,32]
                  input %mask:float32[B,1,1,S]
                  %y:float32[B,S,12,32] = dev.kiln.Attention[scale=0.125, layout="BSHD"](%q, %k, %v, %mask)
                  return %y:float32[B,S,12,32]
                }
                """, new AttentionFusion());
    }
}
