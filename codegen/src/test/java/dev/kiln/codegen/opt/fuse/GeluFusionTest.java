package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.graph.pass.Pass;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.kiln.codegen.opt.fuse.GraphKit.*;
import static org.junit.jupiter.api.Assertions.*;

/** GELU fusion over every form and grouping it claims to recognize. */
class GeluFusionTest {
    static final List<Pass> PASSES = List.of(new GeluFusion());

    /** form 0: erf with Div, 1: erf with Mul, 2: tanh with Pow, 3: tanh with x*x*x; grouping 0..2 as in GeluFusion. */
    static GraphKit gelu(long[] shape, int form, int grouping, boolean swap) {
        GraphKit k = new GraphKit(13);
        Value x = k.input("x", shape);
        Value h;
        if (form < 2) {
            Value inner = form == 0 ? k.op("Div", List.of(x, k.scalar(Math.sqrt(2))), shape)
                    : k.op("Mul", swap ? List.of(k.scalar(1 / Math.sqrt(2)), x) : List.of(x, k.scalar(1 / Math.sqrt(2))), shape);
            Value e = k.op("Erf", List.of(inner), shape);
            h = k.op("Add", swap ? List.of(k.scalar(1), e) : List.of(e, k.scalar(1)), shape);
        } else {
            Value cube = form == 2 ? k.op("Pow", List.of(x, k.scalar(3)), shape)
                    : k.op("Mul", List.of(k.op("Mul", List.of(x, x), shape), x), shape);
            Value inner = k.op("Add", List.of(x, k.op("Mul", List.of(k.scalar(0.044715), cube), shape)), shape);
            Value t = k.op("Tanh", List.of(k.op("Mul", List.of(inner, k.scalar(Math.sqrt(2 / Math.PI))), shape)), shape);
            h = k.op("Add", List.of(t, k.scalar(1)), shape);
        }
        Value half = k.scalar(0.5);
        Value y = switch (grouping) {
            case 0 -> k.op("Mul", List.of(k.op("Mul", List.of(x, h), shape), half), shape);
            case 1 -> k.op("Mul", List.of(h, k.op("Mul", List.of(half, x), shape)), shape);
            default -> k.op("Mul", List.of(x, k.op("Mul", List.of(h, half), shape)), shape);
        };
        k.output(y);
        return k;
    }

    @Property(tries = 48)
    void everyFormFuses(@ForAll @IntRange(min = 0, max = 3) int form, @ForAll @IntRange(min = 0, max = 2) int grouping,
                        @ForAll boolean swap, @ForAll @IntRange(min = 1, max = 9) int n, @ForAll long seed) {
        long[] shape = dims(2, n);
        Graph g = checkFusion(() -> gelu(shape, form, grouping, swap), PASSES, feeds("x", random(new Random(seed), 6, shape)), 1e-5);
        assertOps(g, Map.of("dev.kiln.Gelu", 1));
        assertEquals(1, g.nodes().size());
        assertEquals(form < 2 ? "none" : "tanh", g.nodes().get(0).attribute("approximate").asString());
    }

    @Test
    void wrongConstantIsNotGelu() {
        GraphKit k = new GraphKit(13);
        long[] s = dims(4);
        Value x = k.input("x", s);
        Value e = k.op("Erf", List.of(k.op("Div", List.of(x, k.scalar(1.5)), s)), s);
        k.output(k.op("Mul", List.of(k.op("Mul", List.of(x, k.op("Add", List.of(e, k.scalar(1)), s)), s), k.scalar(0.5)), s));
        assertFalse(new GeluFusion().run(k.g, ctx()));
    }
}
