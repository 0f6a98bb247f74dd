package dev.kiln.codegen.opt;

import dev.kiln.graph.Graph;
import dev.kiln.graph.infer.TypeInference;
import dev.kiln.graph.pass.PassPipeline;
import dev.kiln.graph.text.IrParser;
import dev.kiln.graph.text.IrPrinter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PipelinesTest {
    @Test void o0DoesNothingO1CleansUpToAFixedPoint() {
        Graph g0 = IrParser.parse(ShapeSimplificationTest.HEADS);
        assertTrue(Pipelines.forLevel(0).run(g0, PassTesting.context(g0)).isEmpty());
        assertEquals(ShapeSimplificationTest.HEADS, IrPrinter.print(g0));

        // Types erased: O1 re-infers them itself before simplifying shapes.
        Graph g = IrParser.parse(ShapeSimplificationTest.HEADS.replace("%y:float32[N,S,12,32]", "%y:?")
                .replaceAll("(%[a-z0-9]+):int64\\[[0-9]*\\] = (?!int64)", "$1:? = "));
        List<PassPipeline.Step> steps = Pipelines.forLevel(1).run(g, PassTesting.context(g));
        assertTrue(steps.stream().anyMatch(PassPipeline.Step::changed));
        assertEquals("""
                graph g opset(ai.onnx=17) {
                  input %x:float32[N,S,384]
                  init %t:int64[4] = int64[4]{0, 0, 12, 32}
                  %y:float32[N,S,12,32] = Reshape(%x, %t)
                  return %y:float32[N,S,12,32]
                }
                """, IrPrinter.print(g));
    }

    @Test void disabledPassesDoNotRun() {
        Graph g = IrParser.parse(ShapeSimplificationTest.HEADS);
        List<PassPipeline.Step> steps = Pipelines.forLevel(1).run(g, PassTesting.context(g)
                .withDisabled(java.util.Set.of("shape-simplification", "constant-folding")));
        assertTrue(steps.stream().noneMatch(s -> s.pass().equals("shape-simplification") || s.pass().equals("constant-folding")));
        assertTrue(g.nodes().stream().anyMatch(n -> n.opType().equals("Shape")));
    }

    @Test void everyPassHasAUniqueKebabName() {
        var names = new java.util.HashSet<String>();
        for (var p : List.of(new ConstantFolding(), new ShapeSimplification(), new NoOpRemoval(),
                new CommonSubexpressionElimination(), new DeadCodeElimination(), new InferTypes())) {
            assertTrue(p.name().matches("[a-z]+(-[a-z]+)*"), p.name());
            assertTrue(names.add(p.name()), p.name());
        }
    }
}
