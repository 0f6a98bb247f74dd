package dev.kiln.codegen.plan;

import dev.kiln.graph.Graph;
import dev.kiln.graph.InvalidInputException;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.graph.pass.GraphEdit;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Live intervals of the values a graph computes, over its (topologically ordered) node list: a value is live
 * from the step of the node that writes it to the last step that reads it (a subgraph reading it counts as
 * its node reading it); graph outputs stay live to the end. Graph inputs and initializers are owned by the
 * caller and the model, so they are not planned.
 */
public final class Liveness {
    private Liveness() {}

    /** One value to place: bytes needed and the inclusive range of steps during which it must be kept. */
    public record Interval(Value value, long bytes, int start, int end) {
        public boolean overlapsInTime(Interval o) { return start <= o.end && o.start <= end; }
    }

    /** Intervals in node order; throws InvalidInputException naming the value when a shape is not static. */
    public static List<Interval> of(Graph g) {
        Map<Value, List<Node>> uses = GraphEdit.uses(g);
        Map<Node, Integer> step = new IdentityHashMap<>();
        for (int i = 0; i < g.nodes().size(); i++) step.put(g.nodes().get(i), i);
        Set<Value> outputs = Collections.newSetFromMap(new IdentityHashMap<>());
        outputs.addAll(g.outputs());
        int end = g.nodes().size();   // one step past the last node: outputs are handed to the caller there
        List<Interval> out = new ArrayList<>();
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            for (Value v : n.outputs()) {
                if (v == null || v.name().isEmpty()) continue;
                int last = i;
                for (Node r : uses.getOrDefault(v, List.of())) last = Math.max(last, step.getOrDefault(r, i));
                if (outputs.contains(v)) last = end;
                out.add(new Interval(v, bytes(v, n), i, last));
            }
        }
        return out;
    }

    /** Static byte size of a tensor value. */
    static long bytes(Value v, Node producer) {
        if (!(v.type() instanceof TensorType t) || t.dtype() == null || t.dtype() == DType.STRING)
            throw new InvalidInputException("memory plan: value %" + v.name() + " of " + producer.describe()
                    + " has type " + v.type() + "; a static numeric tensor type is required");
        Shape s = t.shapeOrNull();
        if (s == null)
            throw new InvalidInputException("memory plan: value %" + v.name() + " of " + producer.describe() + " has shape "
                    + v.type() + "; give concrete input shapes (kiln inspect --shape name=1x128)");
        return s.byteSize(t.dtype());
    }
}
