package dev.kiln.codegen.plan;

import dev.kiln.codegen.elementwise.RandomElementwiseGraphs;
import dev.kiln.graph.Graph;
import dev.kiln.graph.InvalidInputException;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.graph.Dim;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The plan never lets two simultaneously live values share bytes, and never needs more than the naive sum. */
class MemoryPlannerTest {

    /** A random DAG of elementwise (in-place capable) and opaque ops with random shapes and dtypes. */
    static Graph randomGraph(long seed) {
        Random r = new Random(seed);
        Graph g = new Graph("g");
        List<Value> pool = new ArrayList<>();
        Value x = new Value("x", TensorType.of(DType.F32, Shape.of(4, 8)));
        g.inputs().add(x);
        pool.add(x);
        int n = 1 + r.nextInt(40);
        for (int i = 0; i < n; i++) {
            boolean elementwise = r.nextBoolean();
            List<Value> in = new ArrayList<>();
            for (int k = 0, m = 1 + r.nextInt(3); k < m; k++) in.add(pool.get(r.nextInt(pool.size())));
            TensorType t;
            if (elementwise) t = (TensorType) in.getFirst().type();
            else t = TensorType.of(r.nextBoolean() ? DType.F32 : DType.I64, Shape.of(r.nextInt(6), 1 + r.nextInt(50)));
            Value out = new Value("v" + i, t);
            g.nodes().add(new Node("n" + i, "", elementwise ? (r.nextBoolean() ? "Add" : "Relu") : "Opaque", in, List.of(out), Map.of()));
            pool.add(out);
        }
        g.outputs().add(pool.getLast());
        if (r.nextBoolean() && pool.size() > 2) g.outputs().add(pool.get(1 + r.nextInt(pool.size() - 2)));
        return g;
    }

    @Property(tries = 500)
    void noTwoLiveValuesOverlap(@ForAll long seed, @ForAll boolean inPlace) {
        Graph g = randomGraph(seed);
        MemoryPlan p = MemoryPlanner.plan(g, inPlace);
        assertEquals(List.of(), p.conflicts());
        assertTrue(p.peakBytes() <= p.naiveBytes(), p.peakBytes() + " > " + p.naiveBytes());
        if (!inPlace) assertTrue(p.peakBytes() >= maxLiveSum(p), "peak below the live lower bound");
    }

    @Property(tries = 200)
    void fusedRandomGraphsPlanCleanly(@ForAll long seed) {
        Graph g = RandomElementwiseGraphs.build(seed, true).graph();
        new dev.kiln.codegen.opt.elementwise.ElementwiseFusion().run(g, null);
        assertEquals(List.of(), MemoryPlanner.plan(g).conflicts());
    }

    static long maxLiveSum(MemoryPlan p) {
        long best = 0;
        int steps = 0;
        for (MemoryPlan.Slot s : p.slots()) steps = Math.max(steps, s.end());
        for (int t = 0; t <= steps; t++) {
            long sum = 0;
            for (MemoryPlan.Slot s : p.slots()) if (s.start() <= t && t <= s.end()) sum += MemoryPlanner.align(s.bytes());
            best = Math.max(best, sum);
        }
        return best;
    }

    @Test
    void chainReusesMemoryAndRunsInPlace() {
        Graph g = new Graph("chain");
        TensorType t = TensorType.of(DType.F32, Shape.of(1024));   // 4 KiB each
        Value prev = new Value("x", t);
        g.inputs().add(prev);
        for (int i = 0; i < 6; i++) {
            Value v = new Value("v" + i, t);
            g.nodes().add(new Node("n" + i, "", "Relu", List.of(prev), List.of(v), Map.of()));
            prev = v;
        }
        g.outputs().add(prev);
        MemoryPlan inPlace = MemoryPlanner.plan(g, true), separate = MemoryPlanner.plan(g, false);
        assertEquals(6 * 4096, inPlace.naiveBytes());
        assertEquals(4096, inPlace.peakBytes());       // every Relu overwrites its input
        assertEquals(2 * 4096, separate.peakBytes());  // ping-pong between two buffers
        assertEquals("v0", inPlace.slots().get(1).inPlaceOf());
        assertEquals(List.of(), inPlace.conflicts());
    }

    @Test
    void validatorCatchesOverlap() {
        MemoryPlan bad = new MemoryPlan(List.of(new MemoryPlan.Slot("a", 0, 128, 0, 2, null),
                new MemoryPlan.Slot("b", 64, 128, 1, 3, null)), 192, 256);
        assertEquals(1, bad.conflicts().size());
    }

    @Test
    void symbolicShapesAreATypedError() {
        Graph g = new Graph("sym");
        Value x = new Value("x", new TensorType(DType.F32, List.of(Dim.sym("batch"), Dim.of(4))));
        Value y = new Value("y", new TensorType(DType.F32, List.of(Dim.sym("batch"), Dim.of(4))));
        g.inputs().add(x);
        g.nodes().add(new Node("r", "", "Relu", List.of(x), List.of(y), Map.of()));
        g.outputs().add(y);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> MemoryPlanner.plan(g));
        assertTrue(e.getMessage().contains("%y") && e.getMessage().contains("--shape"), e.getMessage());
    }
}
