package dev.kiln.codegen.opt;

import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.pass.GraphEdit;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Folds shape arithmetic that static types already answer. Exporters compute reshape targets at run time
 * ({@code Shape -> Gather -> Unsqueeze -> Concat -> Reshape}); when the dims read are known, the reads become
 * constants and {@link ConstantFolding} finishes the chain. With symbolic dims (batch, sequence) only the known
 * parts fold, plus one exact trick: a Reshape whose target copies dim {@code i} of its own input at position
 * {@code i} can say "copy" with ONNX's 0 instead, which turns the whole target constant.
 *
 * <p>Reads types, so it relies on {@link InferTypes} (or the session's inference) having run.
 */
public final class ShapeSimplification implements Pass {
    @Override public String name() { return "shape-simplification"; }

    @Override public boolean run(Graph g, PassContext ctx) {
        boolean changed = false;
        Set<Node> nodes = Collections.newSetFromMap(new IdentityHashMap<>());
        nodes.addAll(g.nodes());
        Set<String> names = null;
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            if (!n.domain().isEmpty() || Values.absent(n.output(0))) continue;
            Tensor folded = switch (n.opType()) {
                case "Shape" -> known(shapeVector(n));
                case "Size" -> size(n.input(0));
                case "Gather" -> gatherOfShape(g, nodes, n);
                case "Slice" -> sliceOfShape(g, nodes, n);
                default -> null;
            };
            if (folded != null) {
                g.nodes().remove(i--);
                Values.replaceByConstant(g, n.output(0), folded);
                changed = true;
            } else if (n.opType().equals("Reshape")) {
                if (names == null) names = GraphEdit.names(g);
                changed |= copyOwnDims(g, nodes, names, n);
            }
        }
        if (changed) GraphEdit.removeDeadCode(g);
        return changed;
    }

    /** The dims a Shape node reports (after its start/end attributes), or null when the input is unranked. */
    static List<Dim> shapeVector(Node shape) {
        if (!shape.opType().equals("Shape") || !shape.domain().isEmpty()) return null;
        List<Dim> d = Values.dims(shape.input(0));
        if (d == null) return null;
        int r = d.size();
        long start = Values.intAttr(shape, "start", 0), end = Values.intAttr(shape, "end", r);
        int s = (int) clamp(start < 0 ? start + r : start, 0, r), e = (int) clamp(end < 0 ? end + r : end, 0, r);
        return s >= e ? List.of() : d.subList(s, e);
    }

    private static long clamp(long v, long lo, long hi) { return Math.max(lo, Math.min(hi, v)); }

    /** int64 vector of the dims when every one is known. */
    private static Tensor known(List<Dim> dims) {
        if (dims == null) return null;
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(dims.get(i) instanceof Dim.Known k)) return null;
            out[i] = k.value();
        }
        return Tensor.ofLongs(out, out.length);
    }

    private static Tensor size(Value x) {
        Tensor dims = known(Values.dims(x));
        if (dims == null) return null;
        long n = 1;
        for (int i = 0; i < dims.numel(); i++) n = Math.multiplyExact(n, dims.getLong(i));
        return Tensor.ofLongs(new long[] {n});
    }

    /** Gather(Shape(x), idx) along axis 0 with constant indices that all hit known dims. */
    private static Tensor gatherOfShape(Graph g, Set<Node> nodes, Node n) {
        Value src = n.input(0);
        if (src == null || src.producer() == null || !nodes.contains(src.producer())) return null;
        List<Dim> vec = shapeVector(src.producer());
        Tensor idx = Values.constant(g, n.input(1));
        if (vec == null || idx == null || idx.numel() > 64 || Values.intAttr(n, "axis", 0) != 0) return null;
        long[] out = new long[(int) idx.numel()];
        for (int i = 0; i < out.length; i++) {
            long k = idx.getLong(i);
            if (k < 0) k += vec.size();
            if (k < 0 || k >= vec.size() || !(vec.get((int) k) instanceof Dim.Known d)) return null;
            out[i] = d.value();
        }
        return Tensor.ofLongs(out, idx.shape().dims());
    }

    /** Slice(Shape(x), starts, ends[, axes[, steps]]) whose selected dims are all known. */
    private static Tensor sliceOfShape(Graph g, Set<Node> nodes, Node n) {
        Value src = n.input(0);
        if (src == null || src.producer() == null || !nodes.contains(src.producer()) || n.inputs().size() < 3) return null;
        List<Dim> vec = shapeVector(src.producer());
        long[] starts = Values.longs(g, n.input(1)), ends = Values.longs(g, n.input(2));
        long[] axes = Values.absent(n.input(3)) ? new long[] {0} : Values.longs(g, n.input(3));
        long[] steps = Values.absent(n.input(4)) ? new long[] {1} : Values.longs(g, n.input(4));
        if (vec == null || starts == null || ends == null || axes == null || steps == null) return null;
        if (starts.length != 1 || ends.length != 1 || axes.length != 1 || steps.length != 1) return null;
        if ((axes[0] != 0 && axes[0] != -1) || steps[0] == 0) return null;
        List<Dim> picked = new ArrayList<>();
        long len = vec.size(), step = steps[0];
        long s = starts[0] < 0 ? starts[0] + len : starts[0], e = ends[0] < 0 ? ends[0] + len : ends[0];
        if (step > 0) {
            s = clamp(s, 0, len); e = clamp(e, 0, len);
            for (long i = s; i < e; i += step) picked.add(vec.get((int) i));
        } else {
            s = clamp(s, 0, len - 1); e = clamp(e, -1, len - 1);
            for (long i = s; i > e; i += step) picked.add(vec.get((int) i));
        }
        return known(picked);
    }

    /**
     * Reshape(x, Concat(..., Unsqueeze(Gather(Shape(x), i)), ...)) where that piece sits at position i: the
     * target says "dim i of x", which Reshape spells 0 (when allowzero is off). Replaces such pieces by a
     * constant 0; once every piece is constant the target folds. Returns whether it rewrote anything.
     */
    private static boolean copyOwnDims(Graph g, Set<Node> nodes, Set<String> names, Node reshape) {
        if (Values.intAttr(reshape, "allowzero", 0) != 0) return false;
        Value x = reshape.input(0), target = reshape.input(1);
        if (target == null || target.producer() == null || !target.producer().opType().equals("Concat")) return false;
        Node concat = target.producer();
        if (!nodes.contains(concat) || Values.intAttr(concat, "axis", 0) != 0 && Values.intAttr(concat, "axis", 0) != -1) return false;
        if (!onlyReader(g, target, reshape)) return false;
        boolean changed = false;
        int position = 0;
        for (int k = 0; k < concat.inputs().size(); k++) {
            Value piece = concat.input(k);
            List<Dim> pd = Values.dims(piece);
            if (pd == null || pd.size() != 1 || !(pd.get(0) instanceof Dim.Known len)) return changed;
            if (len.value() == 1 && Values.constant(g, piece) == null && readsOwnDim(g, piece, x, position)) {
                Value zero = new Value(GraphEdit.freshName(names, piece.name() + "_copy"), piece.type());
                zero.setConstant(Tensor.ofLongs(new long[] {0}, 1));
                g.initializers().add(zero);
                concat.setInput(k, zero);
                changed = true;
            }
            position += (int) len.value();
        }
        return changed;
    }

    /** {@code reader} is the only node (and no graph output) that reads {@code v}, so editing v's producer is local. */
    private static boolean onlyReader(Graph g, Value v, Node reader) {
        if (g.outputs().contains(v)) return false;
        for (Node n : g.nodes()) if (n != reader && GraphEdit.reads(n).contains(v)) return false;
        return true;
    }

    /** piece = Unsqueeze(Gather(Shape(x), i), axes=[0]) (or Gather with a 1-element index) with i == position. */
    private static boolean readsOwnDim(Graph g, Value piece, Value x, int position) {
        Node p = piece.producer();
        if (p == null) return false;
        Value gathered = piece;
        if (p.opType().equals("Unsqueeze")) gathered = p.input(0);
        Node gather = gathered == null ? null : gathered.producer();
        if (gather == null || !gather.opType().equals("Gather") || Values.intAttr(gather, "axis", 0) != 0) return false;
        Value shapeOut = gather.input(0);
        Node shape = shapeOut == null ? null : shapeOut.producer();
        if (shape == null || !shape.opType().equals("Shape") || shape.input(0) != x
                || shape.attribute("start") != null || shape.attribute("end") != null) return false;
        long[] idx = Values.longs(g, gather.input(1));
        List<Dim> xd = Values.dims(x);
        if (idx == null || idx.length != 1 || xd == null) return false;
        long i = idx[0] < 0 ? idx[0] + xd.size() : idx[0];
        // Unsqueeze of a scalar index gives [d]; a 1-element index already is [d].
        return i == position && (p.opType().equals("Unsqueeze") || p == gather);
    }
}
