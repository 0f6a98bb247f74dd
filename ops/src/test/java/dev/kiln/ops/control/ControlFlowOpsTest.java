package dev.kiln.ops.control;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.OpFailure;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.kiln.ops.shape.OpRunner.longs;
import static dev.kiln.ops.shape.OpRunner.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ControlFlowOpsTest {
    private static final Attribute AXIS0 = Attribute.of("axis", 0L);

    @Test void ifReadsOuterScopeValues() {
        Graph top = new Graph("top");
        top.opsetImports().put("", 21);
        Value cond = new Value("cond", ValueType.UNKNOWN), x = new Value("x", ValueType.UNKNOWN);
        top.inputs().addAll(List.of(cond, x));
        Graphs then = new Graphs("then");
        then.use(x);
        then.node("Identity", List.of("x"), "t_out");
        then.output("t_out");
        Graphs els = new Graphs("else");
        els.node("Constant", List.of(), "e_out", Attribute.of("value", Tensor.of(new float[]{-1}, 1)));
        els.output("e_out");
        Value y = new Value("y", ValueType.UNKNOWN);
        top.addNode(new Node("if", "", "If", List.of(cond), List.of(y),
                Map.of("then_branch", Attribute.of("then_branch", then.g), "else_branch", Attribute.of("else_branch", els.g))));
        top.outputs().add(y);
        Interpreter in = new Interpreter(top, OpRegistry.standard());
        Tensor xv = Tensor.of(new float[]{5, 6}, 2);
        assertArrayEquals(new float[]{5, 6}, ((Tensor) in.run(Map.of("cond", Tensor.ofBooleans(new boolean[]{true}), "x", xv)).get("y")).toFloatArray());
        assertArrayEquals(new float[]{-1}, ((Tensor) in.run(Map.of("cond", Tensor.ofBooleans(new boolean[]{false}), "x", xv)).get("y")).toFloatArray());
    }

    /** Body: acc_out = Concat(acc, [i]); scan = i; cond_out = stop_table[i] (so a condition can end the loop). */
    private static Graph countingBody(boolean[] condTable) {
        Graphs b = new Graphs("body");
        b.input("i");
        b.input("cond_in");
        b.input("acc");
        b.node("Constant", List.of(), "shape1", Attribute.of("value", longs(1)));
        b.node("Reshape", List.of("i", "shape1"), "i1");
        b.node("Concat", List.of("acc", "i1"), "acc_out", AXIS0);
        b.node("Identity", List.of("i"), "scan");
        b.node("Constant", List.of(), "table", Attribute.of("value", Tensor.ofBooleans(condTable, condTable.length)));
        b.node("Gather", List.of("table", "i"), "cond_out", AXIS0);
        b.output("cond_out", "acc_out", "scan");
        b.v("scan").setType(Graphs.tensor(DType.I64));
        return b.g;
    }

    @Test void loopCarriesStateAndStacksScanOutputs() {
        Graph body = countingBody(new boolean[]{true, true, true, true, true});
        Object[] r = op("Loop").attr("body", body).in(Tensor.scalarLong(DType.I64, 3)).in(null).in(longs(9)).outputs(2).run();
        assertArrayEquals(new long[]{9, 0, 1, 2}, ((Tensor) r[0]).toLongArray());
        assertEquals(Shape.of(3), ((Tensor) r[1]).shape());
        assertArrayEquals(new long[]{0, 1, 2}, ((Tensor) r[1]).toLongArray());
    }

    @Test void loopStopsWhenConditionTurnsFalse() {
        Graph body = countingBody(new boolean[]{true, false, true, true});
        Object[] r = op("Loop").attr("body", body).in(null).in(Tensor.ofBooleans(new boolean[]{true})).in(longs(9)).outputs(2).run();
        // Iteration 1 computes cond=false, so two iterations run.
        assertArrayEquals(new long[]{9, 0, 1}, ((Tensor) r[0]).toLongArray());
        // A false initial condition runs nothing; the empty scan output takes the body's declared element type.
        Object[] z = op("Loop").attr("body", body).in(Tensor.scalarLong(DType.I64, 5)).in(Tensor.ofBooleans(new boolean[]{false})).in(longs(9)).outputs(2).run();
        assertArrayEquals(new long[]{9}, ((Tensor) z[0]).toLongArray());
        assertEquals(Shape.of(0), ((Tensor) z[1]).shape());
        assertEquals(DType.I64, ((Tensor) z[1]).dtype());
    }

    @Test void loopWithoutTripCountOrConditionIsRejected() {
        Graph body = countingBody(new boolean[]{true});
        assertThrows(OpFailure.class, () -> op("Loop").attr("body", body).in(null).in(null).in(longs(9)).outputs(2).run());
    }

    /** Scan body: state_out = Concat(state, x_t); y_t = x_t. */
    private static Graph concatBody() {
        Graphs b = new Graphs("scan_body");
        b.input("state");
        b.input("x_t");
        b.node("Concat", List.of("state", "x_t"), "state_out", AXIS0);
        b.node("Identity", List.of("x_t"), "y_t");
        return b.output("state_out", "y_t").g;
    }

    @Test void scanDirectionsAndAxes() {
        Tensor x = Tensor.ofLongs(new long[]{1, 2, 3, 4, 5, 6}, 3, 2);   // 3 steps of [2]
        Object[] fwd = op("Scan").opset(16).attr("body", concatBody()).attr("num_scan_inputs", 1L)
                .in(Tensor.ofLongs(new long[0], 0)).in(x).outputs(2).run();
        assertArrayEquals(new long[]{1, 2, 3, 4, 5, 6}, ((Tensor) fwd[0]).toLongArray());
        Object[] rev = op("Scan").opset(16).attr("body", concatBody()).attr("num_scan_inputs", 1L)
                .attr("scan_input_directions", new long[]{1}).attr("scan_output_axes", new long[]{1})
                .in(Tensor.ofLongs(new long[0], 0)).in(x).outputs(2).run();
        assertArrayEquals(new long[]{5, 6, 3, 4, 1, 2}, ((Tensor) rev[0]).toLongArray());
        // Scan outputs stacked on axis 1: y[:, t] = x_t of step t (reversed input order).
        assertEquals(Shape.of(2, 3), ((Tensor) rev[1]).shape());
        assertArrayEquals(new long[]{5, 3, 1, 6, 4, 2}, ((Tensor) rev[1]).toLongArray());
        // Scanning input axis 1 instead: 2 steps of [3].
        Object[] ax = op("Scan").opset(16).attr("body", concatBody()).attr("num_scan_inputs", 1L)
                .attr("scan_input_axes", new long[]{1}).in(Tensor.ofLongs(new long[0], 0)).in(x).outputs(2).run();
        assertArrayEquals(new long[]{1, 3, 5, 2, 4, 6}, ((Tensor) ax[0]).toLongArray());
    }

    @Test void scanOpset8HasBatchAxisAndSequenceLengths() {
        Graphs b = new Graphs("last");
        b.input("state");
        b.input("x_t");
        b.node("Identity", List.of("x_t"), "state_out");
        b.node("Identity", List.of("x_t"), "y_t");
        b.output("state_out", "y_t");
        Tensor x = Tensor.ofLongs(new long[]{1, 2, 3, 4, 5, 6}, 2, 3, 1);   // batch 2, 3 steps of [1]
        Tensor init = Tensor.allocate(DType.I64, Shape.of(2, 1));
        Object[] r = op("Scan").opset(8).attr("body", b.g).attr("num_scan_inputs", 1L)
                .in(longs(3, 2)).in(init).in(x).outputs(2).run();
        // Batch 1 stops after 2 steps: its final state is its second element and its scan output is zero-padded.
        assertArrayEquals(new long[]{3, 5}, ((Tensor) r[0]).toLongArray());
        assertEquals(Shape.of(2, 3, 1), ((Tensor) r[1]).shape());
        assertArrayEquals(new long[]{1, 2, 3, 4, 5, 0}, ((Tensor) r[1]).toLongArray());
    }
}
