package dev.kiln.graph.pass;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.rewrite.Pattern;
import dev.kiln.graph.rewrite.RewritePass;
import dev.kiln.graph.rewrite.RewriteRule;
import dev.kiln.graph.text.IrPrinter;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class RewriteInfrastructureTest {
    static final ValueType F = ValueType.TensorType.of(DType.F32, Shape.of(4));
    static final PassContext CTX = new PassContext(n -> null, Set.of(), true, null);

    /** y = Relu((x * 1) + 0) — two identities around one real op. */
    static Graph sample() {
        Graph g = new Graph("g");
        g.opsetImports().put("", 17);
        Value x = new Value("x", F);
        g.inputs().add(x);
        Value one = new Value("one", ValueType.TensorType.of(DType.F32, Shape.SCALAR));
        one.setConstant(Tensor.scalar(DType.F32, 1));
        Value zero = new Value("zero", ValueType.TensorType.of(DType.F32, Shape.SCALAR));
        zero.setConstant(Tensor.scalar(DType.F32, 0));
        g.initializers().addAll(List.of(one, zero));
        Value m = new Value("m", F), a = new Value("a", F), y = new Value("y", F);
        g.nodes().add(new Node("mul", "", "Mul", List.of(x, one), List.of(m), Map.of()));
        g.nodes().add(new Node("add", "", "Add", List.of(m, zero), List.of(a), Map.of()));
        g.nodes().add(new Node("relu", "", "Relu", List.of(a), List.of(y), Map.of()));
        g.outputs().add(y);
        return g;
    }

    static boolean isScalar(Value v, double want) {
        return v.constant() != null && v.constant().numel() == 1 && v.constant().getDouble(0) == want;
    }

    static final List<RewriteRule> IDENTITIES = List.of(
            RewriteRule.of("mul-by-one", Pattern.op("Mul", Pattern.any("x"), Pattern.constant("c").where(v -> isScalar(v, 1))).commutative(),
                    (m, b) -> m.value("x")),
            RewriteRule.of("add-zero", Pattern.op("Add", Pattern.any("x"), Pattern.constant("c").where(v -> isScalar(v, 0))).commutative(),
                    (m, b) -> m.value("x")));

    @Test
    void rulesRemoveIdentitiesAndDceCleansUp() {
        Graph g = sample();
        boolean changed = new PassPipeline("t", List.of(new FixedPoint("simplify", 10, new RewritePass("identities", IDENTITIES))))
                .run(g, CTX).stream().anyMatch(PassPipeline.Step::changed);
        assertTrue(changed);
        assertEquals(1, g.nodes().size(), IrPrinter.print(g));
        assertEquals("Relu", g.nodes().get(0).opType());
        assertSame(g.inputs().get(0), g.nodes().get(0).input(0));
        assertTrue(g.initializers().isEmpty(), "unused constants are dropped");
    }

    @Test
    void replacingAGraphOutputKeepsItsName() {
        Graph g = sample();
        Node relu = g.nodes().get(2);
        // Rewrite the output producer away: y must still be called y.
        RewriteRule dropRelu = RewriteRule.of("drop-relu", Pattern.op("Relu", Pattern.any("x")), (m, b) -> m.value("x"));
        new RewritePass("r", List.of(dropRelu)).run(g, CTX);
        Verifier.verify(g, "test");
        assertEquals("y", g.outputs().get(0).name());
        assertNotSame(relu, g.outputs().get(0).producer());
    }

    @Test
    void verifierReportsUseBeforeDefinition() {
        Graph g = sample();
        java.util.Collections.reverse(g.nodes());
        IrVerificationException e = assertThrows(IrVerificationException.class, () -> Verifier.verify(g, "after test"));
        assertTrue(e.getMessage().contains("before it is defined"), e.getMessage());
    }

    @Test
    void sharedIntermediatesBlockFusion() {
        Graph g = sample();
        // Make m also a graph output: the add-zero rule may still fire (m is a leaf there), but a rule covering
        // Mul inside its pattern must not.
        g.outputs().add(g.nodes().get(0).output(0));
        RewriteRule fused = RewriteRule.of("add-of-mul", Pattern.op("Add", Pattern.op("Mul", Pattern.any("x"), Pattern.any("c")), Pattern.any("z")),
                (m, b) -> b.op("FusedMulAdd", List.of(m.value("x"), m.value("c"), m.value("z")), F));
        assertFalse(new RewritePass("f", List.of(fused)).run(g, CTX));
    }
}
