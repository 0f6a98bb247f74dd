package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Static type inference of the attention, image and signal ops, including symbolic dims passing through. */
class AttentionInferenceTest {
    private static TensorType t(DType dt, Object... dims) { return AttnIo.typeOfDims(dt, dims); }

    /** Runs the op's inference; inputs are types, constants (may be null) give constant inputs. */
    private static ValueType[] infer(String domain, String op, int opset, int outputs, List<Attribute> attrs,
                                     ValueType[] inputs, Tensor[] constants) {
        List<Value> in = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) { in.add(null); continue; }
            Value v = new Value("i" + i, inputs[i]);
            if (constants != null && i < constants.length && constants[i] != null) v.setConstant(constants[i]);
            in.add(v);
        }
        List<Value> out = new ArrayList<>();
        for (int o = 0; o < outputs; o++) out.add(new Value("o" + o, null));
        Map<String, Attribute> am = new LinkedHashMap<>();
        for (Attribute a : attrs) am.put(a.name(), a);
        Node n = new Node("n", domain, op, in, out, am);
        OpSchema s = OpRegistry.standard().lookup(domain, op, opset);
        assertNotNull(s, op + " is registered");
        ValueType[] result = new ValueType[outputs];
        s.inferTypes(new InferenceContext() {
            @Override public Node node() { return n; }
            @Override public int opsetVersion() { return opset; }
            @Override public int inputCount() { return inputs.length; }
            @Override public ValueType inputType(int i) { return i < inputs.length && inputs[i] != null ? inputs[i] : ValueType.UNKNOWN; }
            @Override public Tensor constantInput(int i) { return constants != null && i < constants.length ? constants[i] : null; }
            @Override public int outputCount() { return outputs; }
            @Override public void setOutputType(int i, ValueType type) { result[i] = type; }
        });
        return result;
    }

    @Test
    void attention4dKeepsSymbolsAndAddsPast() {
        Dim batch = Dim.sym("batch");
        ValueType[] out = infer("", "Attention", 23, 4, List.of(), new ValueType[]{
                t(DType.F32, batch, 8L, 3L, 16L), t(DType.F32, batch, 2L, 5L, 16L), t(DType.F32, batch, 2L, 5L, 32L),
                null, t(DType.F32, batch, 2L, 7L, 16L), t(DType.F32, batch, 2L, 7L, 32L)}, null);
        assertEquals(t(DType.F32, batch, 8L, 3L, 32L), out[0]);
        assertEquals(t(DType.F32, batch, 2L, 12L, 16L), out[1]);
        assertEquals(t(DType.F32, batch, 2L, 12L, 32L), out[2]);
        assertEquals(t(DType.F32, batch, 8L, 3L, 12L), out[3]);
    }

    @Test
    void attention3dUsesHeadAttributes() {
        ValueType[] out = infer("", "Attention", 23, 3, List.of(Attribute.of("q_num_heads", 4L), Attribute.of("kv_num_heads", 2L)),
                new ValueType[]{t(DType.F16, 2L, 3L, 32L), t(DType.F16, 2L, 5L, 16L), t(DType.F16, 2L, 5L, 24L)}, null);
        assertEquals(t(DType.F16, 2L, 3L, 48L), out[0]);
        assertEquals(t(DType.F16, 2L, 2L, 5L, 8L), out[1]);
        assertEquals(t(DType.F16, 2L, 2L, 5L, 12L), out[2]);
    }

    @Test
    void resizeFromConstantSizesAndScales() {
        ValueType x = t(DType.F32, 1L, 3L, 4L, 6L);
        ValueType[] bySizes = infer("", "Resize", 19, 1, List.of(), new ValueType[]{x, null, null, t(DType.I64, 4L)},
                new Tensor[]{null, null, null, Tensor.ofLongs(new long[]{1, 3, 8, 9}, 4)});
        assertEquals(t(DType.F32, 1L, 3L, 8L, 9L), bySizes[0]);
        ValueType[] byScales = infer("", "Resize", 19, 1, List.of(Attribute.of("axes", new long[]{2, 3})),
                new ValueType[]{x, null, t(DType.F32, 2L)}, new Tensor[]{null, null, Tensor.of(new float[]{0.5f, 1.5f}, 2)});
        assertEquals(t(DType.F32, 1L, 3L, 2L, 9L), byScales[0]);
        ValueType[] dynamic = infer("", "Resize", 19, 1, List.of(), new ValueType[]{x, null, t(DType.F32, 4L)}, null);
        assertEquals(t(DType.F32, Dim.UNKNOWN, Dim.UNKNOWN, Dim.UNKNOWN, Dim.UNKNOWN), dynamic[0]);
    }

    @Test
    void imageAndSignalShapes() {
        assertEquals(t(DType.F32, 2L, 3L, 5L, 7L), infer("", "GridSample", 20, 1, List.of(),
                new ValueType[]{t(DType.F32, 2L, 3L, 10L, 10L), t(DType.F32, 2L, 5L, 7L, 2L)}, null)[0]);
        assertEquals(t(DType.F32, 2L, 4L, 5L, 2L), infer("", "AffineGrid", 20, 1, List.of(),
                new ValueType[]{t(DType.F32, 2L, 2L, 3L), t(DType.I64, 4L)}, new Tensor[]{null, Tensor.ofLongs(new long[]{2, 3, 4, 5}, 4)})[0]);
        assertEquals(t(DType.F32, 6L, 3L, 2L, 2L), infer("", "RoiAlign", 16, 1, List.of(Attribute.of("output_height", 2L), Attribute.of("output_width", 2L)),
                new ValueType[]{t(DType.F32, 1L, 3L, 10L, 10L), t(DType.F32, 6L, 4L), t(DType.I64, 6L)}, null)[0]);
        assertEquals(t(DType.F64, Dim.UNKNOWN), infer("", "HannWindow", 17, 1, List.of(Attribute.of("output_datatype", 11L)),
                new ValueType[]{t(DType.I32)}, null)[0]);
        ValueType[] conv = infer("", "CausalConvWithState", 27, 2, List.of(),
                new ValueType[]{t(DType.F32, 2L, 4L, 8L), t(DType.F32, 4L, 1L, 3L)}, null);
        assertEquals(t(DType.F32, 2L, 4L, 2L), conv[1]);
    }

    private static ValueType randomType(java.util.Random rnd) {
        int kind = rnd.nextInt(6);
        if (kind == 0) return ValueType.UNKNOWN;
        if (kind == 1) return TensorType.unranked(DType.F32);
        Object[] dims = new Object[rnd.nextInt(6)];
        for (int i = 0; i < dims.length; i++) dims[i] = rnd.nextInt(4) == 0 ? Dim.sym("s" + i) : (Object) (long) rnd.nextInt(5);
        return t(DType.F32, dims);
    }

    /**
     * Inference never crashes, whatever (even inconsistent) input types and constants it is given: it either types
     * the outputs (possibly as unknown) or reports a deliberate {@link dev.kiln.ops.OpFailure} (shared broadcast rule).
     */
    @net.jqwik.api.Property(tries = 300)
    void inferenceNeverThrows(@net.jqwik.api.ForAll long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        String[][] ops = {{"", "Attention", "24"}, {"", "RotaryEmbedding", "23"}, {"", "SwiGLU", "28"}, {"", "LinearAttention", "27"},
                {"", "CausalConvWithState", "27"}, {"ai.onnx.preview", "FlexAttention", "1"}, {"", "Resize", "19"}, {"", "Resize", "10"},
                {"", "Upsample", "7"}, {"", "GridSample", "20"}, {"", "AffineGrid", "20"}, {"", "RoiAlign", "16"}, {"", "NonMaxSuppression", "11"},
                {"", "ImageDecoder", "20"}, {"", "DFT", "20"}, {"", "STFT", "17"}, {"", "HannWindow", "17"}, {"", "MelWeightMatrix", "17"}};
        for (String[] op : ops) {
            int n = 1 + rnd.nextInt(7);
            ValueType[] in = new ValueType[n];
            Tensor[] consts = new Tensor[n];
            for (int i = 0; i < n; i++) {
                in[i] = rnd.nextInt(5) == 0 ? null : randomType(rnd);
                if (rnd.nextBoolean()) {
                    long[] v = new long[rnd.nextInt(6)];
                    for (int j = 0; j < v.length; j++) v[j] = rnd.nextInt(9) - 2;
                    consts[i] = rnd.nextBoolean() ? Tensor.ofLongs(v, v.length) : Tensor.fromDoubles(DType.F32, java.util.Arrays.stream(v).asDoubleStream().toArray(), v.length);
                }
            }
            List<Attribute> attrs = new ArrayList<>();
            if (rnd.nextBoolean()) attrs.add(Attribute.of("axes", new long[]{rnd.nextInt(9) - 4}));
            if (rnd.nextBoolean()) attrs.add(Attribute.of("q_num_heads", (long) rnd.nextInt(3)));
            if (rnd.nextBoolean()) attrs.add(Attribute.of("kv_num_heads", (long) rnd.nextInt(3)));
            if (rnd.nextBoolean()) attrs.add(Attribute.of("output_datatype", (long) rnd.nextInt(30)));
            if (rnd.nextBoolean()) attrs.add(Attribute.of("scales", new float[]{rnd.nextFloat() * 2 - 0.5f}));
            try {
                infer(op[0], op[1], Integer.parseInt(op[2]), 1 + rnd.nextInt(4), attrs, in, consts);
            } catch (dev.kiln.ops.OpFailure e) {
                org.junit.jupiter.api.Assertions.assertNull(e.getCause(), op[1] + ": " + e.getMessage());
            }
        }
    }
}
