package dev.kiln.graph.text;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** print(parse(print(g))) == print(g) over random graphs with every attribute kind, dtype and nesting. */
class IrRoundTripProperties {
    private static final DType[] DTYPES = {DType.F32, DType.F64, DType.F16, DType.BF16, DType.I64, DType.I32, DType.I8,
            DType.U8, DType.U64, DType.BOOL, DType.STRING};
    private static final String[] NAMES = {"x", "a/b.c", "in:0", "w_1", "/enc/layer.0/MatMul_output_0", "y-z"};

    @Property(tries = 300)
    void randomGraphsRoundTrip(@ForAll long seed) {
        Random r = new Random(seed);
        Graph g = graph(r, new int[] {0}, 0, List.of());
        g.opsetImports().put("", 1 + r.nextInt(23));
        if (r.nextBoolean()) g.opsetImports().put("com.microsoft", 1);
        String text = IrPrinter.print(g);
        Graph back = IrParser.parse(text, IrParser.Options.ZERO_FILL);
        assertEquals(text, IrPrinter.print(back));
    }

    /** {@code outer}: values of enclosing graphs defined so far, which a subgraph may read (and return). */
    private static Graph graph(Random r, int[] counter, int depth, List<Value> outer) {
        Graph g = new Graph(r.nextInt(4) == 0 ? "" : "g" + depth);
        List<Value> visible = new ArrayList<>(outer);
        int ni = r.nextInt(3);
        for (int i = 0; i < ni; i++) {
            Value v = new Value(fresh(r, counter), type(r, 0));
            g.inputs().add(v);
            visible.add(v);
        }
        int inits = r.nextInt(3);
        for (int i = 0; i < inits; i++) {
            Tensor t = tensor(r);
            Value v = new Value(fresh(r, counter), ValueType.TensorType.of(t.dtype(), t.shape()));
            v.setConstant(t);
            g.initializers().add(v);
            visible.add(v);
        }
        int nodes = 1 + r.nextInt(5);
        for (int i = 0; i < nodes; i++) {
            List<Value> ins = new ArrayList<>();
            int k = r.nextInt(4);
            for (int j = 0; j < k; j++) ins.add(visible.isEmpty() || r.nextInt(5) == 0 ? null : visible.get(r.nextInt(visible.size())));
            List<Value> outs = new ArrayList<>();
            int o = r.nextInt(3);
            for (int j = 0; j < o; j++) outs.add(r.nextInt(6) == 0 ? null : new Value(fresh(r, counter), type(r, 0)));
            Map<String, Attribute> attrs = new LinkedHashMap<>();
            int na = r.nextInt(4);
            for (int j = 0; j < na; j++) {
                Attribute a = attribute(r, "a" + j);
                attrs.put(a.name(), a);
            }
            if (depth < 2 && r.nextInt(5) == 0) attrs.put("body", Attribute.of("body", graph(r, counter, depth + 1, List.copyOf(visible))));
            String domain = r.nextInt(4) == 0 ? "com.microsoft" : "";
            g.addNode(new Node(r.nextBoolean() ? "" : "n " + i + " #x", domain, "Op" + r.nextInt(5), ins, outs, attrs));
            for (Value v : outs) if (v != null) visible.add(v);
        }
        if (!visible.isEmpty()) {
            int outs = 1 + r.nextInt(2);
            for (int i = 0; i < outs; i++) g.outputs().add(visible.get(r.nextInt(visible.size())));
        }
        return g;
    }

    private static String fresh(Random r, int[] counter) {
        return NAMES[r.nextInt(NAMES.length)] + "_" + counter[0]++;
    }

    private static ValueType type(Random r, int depth) {
        int pick = r.nextInt(depth > 1 ? 3 : 8);
        return switch (pick) {
            case 0 -> ValueType.UNKNOWN;
            case 1 -> ValueType.TensorType.unranked(r.nextBoolean() ? null : DTYPES[r.nextInt(DTYPES.length)]);
            case 2, 3, 4 -> {
                List<Dim> dims = new ArrayList<>();
                int rank = r.nextInt(4);
                for (int i = 0; i < rank; i++) {
                    int d = r.nextInt(4);
                    dims.add(d == 0 ? Dim.UNKNOWN : d == 1 ? Dim.sym(r.nextBoolean() ? "N" : "seq_len") : Dim.of(r.nextInt(5)));
                }
                yield new ValueType.TensorType(r.nextInt(6) == 0 ? null : DTYPES[r.nextInt(DTYPES.length)], dims);
            }
            case 5 -> new ValueType.SequenceType(type(r, depth + 1));
            case 6 -> new ValueType.OptionalType(type(r, depth + 1));
            default -> new ValueType.MapType(DType.I64, type(r, depth + 1));
        };
    }

    private static Tensor tensor(Random r) {
        DType d = DTYPES[r.nextInt(DTYPES.length)];
        int rank = r.nextInt(3);
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) dims[i] = r.nextInt(r.nextInt(4) == 0 ? 12 : 4);
        Shape s = Shape.of(dims);
        if (d == DType.STRING) {
            String[] v = new String[(int) s.numel()];
            for (int i = 0; i < v.length; i++) v[i] = string(r);
            return Tensor.ofStrings(v, dims);
        }
        Tensor t = Tensor.allocate(d, s);
        for (long i = 0; i < s.numel(); i++) {
            if (d.isFloatingPoint()) t.setDouble(i, special(r));
            else if (d == DType.BOOL) t.setLong(i, r.nextInt(2));
            else t.setLong(i, r.nextInt(200) - (d == DType.U8 ? 0 : 100));
        }
        return t;
    }

    private static double special(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> Double.NaN;
            case 1 -> Double.NEGATIVE_INFINITY;
            case 2 -> 0.0;
            case 3 -> r.nextInt(100) - 50;
            case 4 -> 1e-7 * r.nextGaussian();
            default -> r.nextGaussian() * 1000;
        };
    }

    private static String string(Random r) {
        String[] parts = {"a", "\"", "\\", "\n", " ", "x,y", "]", "}", "#", "é"};
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) sb.append(parts[r.nextInt(parts.length)]);
        return sb.toString();
    }

    private static Attribute attribute(Random r, String name) {
        return switch (r.nextInt(8)) {
            case 0 -> Attribute.of(name, (float) special(r));
            case 1 -> Attribute.of(name, (long) r.nextInt(2000) - 1000);
            case 2 -> Attribute.of(name, string(r));
            case 3 -> Attribute.of(name, tensor(r));
            case 4 -> {
                float[] f = new float[1 + r.nextInt(3)];
                for (int i = 0; i < f.length; i++) f[i] = (float) special(r);
                yield Attribute.of(name, f);
            }
            case 5 -> Attribute.of(name, new long[] {r.nextInt(9) - 4, Long.MAX_VALUE, Long.MIN_VALUE});
            case 6 -> Attribute.of(name, new String[] {string(r), string(r)});
            default -> new Attribute(name, Attribute.Kind.TENSORS, new Tensor[] {tensor(r), tensor(r)});
        };
    }
}
