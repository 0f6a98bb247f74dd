package dev.kiln.codegen.opt;

import dev.kiln.graph.Graph;
import dev.kiln.graph.infer.TypeInference;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.pass.PassPipeline;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The meaning properties only mean something if the random graphs make every clean-up pass fire. */
class RandomGraphsCoverageTest {
    @Test void everyCleanupPassFiresOnSomeRandomGraph() {
        TreeMap<String, Integer> fired = new TreeMap<>();
        int removed = 0, total = 0;
        for (long seed = 0; seed < 200; seed++) {
            Graph g = RandomGraphs.build(seed).graph();
            total += g.nodes().size();
            TypeInference.run(g, (n, opset) -> PassTesting.REGISTRY.lookup(n.domain(), n.opType(), opset));
            PassContext ctx = new PassContext(n -> PassTesting.REGISTRY.lookup(n.domain(), n.opType(), g.opset(n.domain())), Set.of(), true, null);
            int before = g.nodes().size();
            for (PassPipeline.Step s : Optimizer.optimize(g, 1, ctx)) if (s.changed()) fired.merge(s.pass(), 1, Integer::sum);
            removed += before - g.nodes().size();
        }
        for (String pass : new String[] {"constant-folding", "shape-simplification", "noop-removal", "cse", "dce"})
            assertTrue(fired.getOrDefault(pass, 0) >= 5, pass + " fired on too few graphs: " + fired);
        assertTrue(removed > total / 5, "O1 removed only " + removed + " of " + total + " nodes; fired " + fired);
    }
}
