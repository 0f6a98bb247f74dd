package dev.kiln.graph.text;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Stable, readable text of a graph, one line per node: {@code %out:type = Op[attrs](%in, ...)}. Used by
 * {@code kiln compile --dump-ir} and by pass tests to diff graphs. Output depends only on the graph, so two
 * printings of equal graphs are equal strings. Subgraph attributes are printed nested, indented.
 */
public final class IrPrinter {
    /** Tensors with at most this many elements are printed inline; larger ones only by type. */
    private static final int INLINE_ELEMENTS = 8;

    private IrPrinter() {}

    public static String print(Graph g) {
        StringBuilder sb = new StringBuilder();
        print(g, "", sb, true);
        return sb.toString();
    }

    private static void print(Graph g, String indent, StringBuilder sb, boolean top) {
        sb.append(indent).append("graph ").append(g.name().isEmpty() ? "<unnamed>" : g.name());
        if (top && !g.opsetImports().isEmpty()) {
            StringJoiner sj = new StringJoiner(", ", " opset(", ")");
            for (Map.Entry<String, Integer> e : g.opsetImports().entrySet())
                sj.add((e.getKey().isEmpty() ? "ai.onnx" : e.getKey()) + "=" + e.getValue());
            sb.append(sj);
        }
        sb.append(" {\n");
        String in = indent + "  ";
        for (Value v : g.inputs()) {
            boolean isInit = g.initializers().contains(v);
            sb.append(in).append(isInit ? "input+init " : "input ").append(value(v)).append('\n');
        }
        for (Value v : g.initializers()) {
            if (g.inputs().contains(v)) continue;
            sb.append(in).append("init ").append(value(v));
            if (v.constant() != null) sb.append(" = ").append(tensor(v.constant()));
            sb.append('\n');
        }
        for (Node n : g.nodes()) printNode(n, in, sb);
        StringJoiner outs = new StringJoiner(", ");
        for (Value v : g.outputs()) outs.add(value(v));
        sb.append(in).append("return ").append(outs).append('\n');
        sb.append(indent).append("}\n");
    }

    private static void printNode(Node n, String indent, StringBuilder sb) {
        sb.append(indent);
        StringJoiner outs = new StringJoiner(", ");
        for (Value v : n.outputs()) outs.add(v == null || v.name().isEmpty() ? "_" : value(v));
        if (!n.outputs().isEmpty()) sb.append(outs).append(" = ");
        if (!n.domain().isEmpty()) sb.append(n.domain()).append('.');
        sb.append(n.opType());
        StringJoiner attrs = new StringJoiner(", ", "[", "]").setEmptyValue("");
        List<Attribute> graphs = new java.util.ArrayList<>();
        for (Attribute a : n.attributes().values()) {
            if (a.kind() == Attribute.Kind.GRAPH || a.kind() == Attribute.Kind.GRAPHS) { graphs.add(a); continue; }
            attrs.add(attribute(a));
        }
        sb.append(attrs);
        StringJoiner ins = new StringJoiner(", ", "(", ")");
        for (Value v : n.inputs()) ins.add(v == null || v.name().isEmpty() ? "_" : "%" + v.name());
        sb.append(ins);
        if (!n.name().isEmpty()) sb.append("  # ").append(n.name());
        sb.append('\n');
        for (Attribute a : graphs) {
            Graph[] gs = a.kind() == Attribute.Kind.GRAPH ? new Graph[] {a.asGraph()} : a.asGraphs();
            for (Graph sg : gs) {
                sb.append(indent).append("  ").append(a.name()).append(":\n");
                print(sg, indent + "    ", sb, false);
            }
        }
    }

    private static String value(Value v) { return "%" + v.name() + ":" + v.type(); }

    private static String attribute(Attribute a) {
        String v = switch (a.kind()) {
            case FLOAT -> floatText((Float) a.value());
            case INT -> a.value().toString();
            case STRING -> quote((String) a.value());
            case TENSOR -> tensor((Tensor) a.value());
            case TYPE -> String.valueOf(a.value());
            case FLOATS -> {
                StringJoiner sj = new StringJoiner(", ", "[", "]");
                for (float f : (float[]) a.value()) sj.add(floatText(f));
                yield sj.toString();
            }
            case INTS -> Arrays.toString((long[]) a.value());
            case STRINGS -> {
                StringJoiner sj = new StringJoiner(", ", "[", "]");
                for (String s : (String[]) a.value()) sj.add(quote(s));
                yield sj.toString();
            }
            case TENSORS -> {
                StringJoiner sj = new StringJoiner(", ", "[", "]");
                for (Tensor t : (Tensor[]) a.value()) sj.add(tensor(t));
                yield sj.toString();
            }
            default -> String.valueOf(a.value());
        };
        return a.name() + "=" + v;
    }

    /** {@code float32[2,3]} plus the values when small. */
    static String tensor(Tensor t) {
        StringBuilder sb = new StringBuilder(t.dtype().displayName()).append('[');
        long[] d = t.shape().dims();
        for (int i = 0; i < d.length; i++) { if (i > 0) sb.append(','); sb.append(d[i]); }
        sb.append(']');
        if (t.numel() > INLINE_ELEMENTS) return sb.toString();
        StringJoiner sj = new StringJoiner(", ", "{", "}");
        for (long i = 0; i < t.numel(); i++) {
            if (t.dtype() == DType.STRING) sj.add(quote(t.getString(i)));
            else if (t.dtype().isFloatingPoint()) sj.add(floatText(t.getDouble(i)));
            else sj.add(Long.toString(t.getLong(i)));
        }
        return sb.append(sj).toString();
    }

    private static String floatText(double f) {
        if (f == Math.rint(f) && Math.abs(f) < 1e15) return Long.toString((long) f) + ".0";
        return Float.toString((float) f);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
