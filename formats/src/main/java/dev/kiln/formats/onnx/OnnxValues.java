package dev.kiln.formats.onnx;

import dev.kiln.formats.protobuf.ProtoReader;
import dev.kiln.formats.protobuf.ProtoWriter;
import dev.kiln.graph.Graph;
import dev.kiln.graph.InvalidInputException;
import dev.kiln.graph.KilnException;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads ONNX test-data values ({@code input_N.pb}/{@code output_N.pb}): a TensorProto, SequenceProto or
 * OptionalProto, chosen by the type of the graph input/output the file belongs to. Values own their memory
 * (a GC-managed arena), so nothing has to be closed.
 */
public final class OnnxValues {
    private OnnxValues() {}

    /** Largest value file read into memory; test data is small, and this bounds a bad path's allocation. */
    private static final long MAX_FILE = Integer.MAX_VALUE - 8;

    /**
     * Reads one value. {@code expected} selects the message: SequenceType -> {@link TensorSequence}, OptionalType
     * -> {@link OptionalValue}, anything else -> {@link Tensor}.
     */
    public static Object read(Path pbFile, ValueType expected) {
        byte[] bytes;
        try {
            long size = Files.size(pbFile);
            if (size > MAX_FILE) throw new ModelFormatException(pbFile + ": " + size + " bytes is too large for a value file");
            bytes = Files.readAllBytes(pbFile);
        } catch (IOException e) {
            throw new ModelFormatException(pbFile + ": cannot read: " + e.getMessage(), e);
        }
        return decode(bytes, pbFile.toString(), expected);
    }

    /** Decodes a serialized value (see {@link #read}). */
    public static Object decode(byte[] bytes, String sourceName, ValueType expected) {
        return guard(sourceName, () -> {
            MemorySegment seg = native_(bytes);
            if (expected instanceof ValueType.SequenceType s) return sequence(ProtoReader.of(seg, sourceName, "SequenceProto"), s);
            if (expected instanceof ValueType.OptionalType o) return optional(ProtoReader.of(seg, sourceName, "OptionalProto"), o);
            return tensor(ProtoReader.of(seg, sourceName, "TensorProto"));
        });
    }

    /** Decodes a serialized TensorProto. */
    public static Tensor decodeTensor(byte[] bytes, String sourceName) {
        return guard(sourceName, () -> tensor(ProtoReader.of(native_(bytes), sourceName, "TensorProto")));
    }

    /**
     * The values of one test data set ({@code test_data_set_N}): {@code input_i.pb} matched to the i-th graph input
     * that has no initializer, {@code output_j.pb} to the j-th graph output.
     */
    public record DataSet(List<Object> inputs, List<Object> outputs) {}

    public static DataSet readDataSet(Graph graph, Path dataSetDir) {
        List<Value> ins = graph.requiredInputs();
        List<Object> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        for (int i = 0; Files.exists(dataSetDir.resolve("input_" + i + ".pb")); i++) {
            if (i >= ins.size())
                throw new InvalidInputException(dataSetDir + ": input_" + i + ".pb but the graph has " + ins.size() + " required inputs");
            inputs.add(read(dataSetDir.resolve("input_" + i + ".pb"), ins.get(i).type()));
        }
        for (int i = 0; Files.exists(dataSetDir.resolve("output_" + i + ".pb")); i++) {
            if (i >= graph.outputs().size())
                throw new InvalidInputException(dataSetDir + ": output_" + i + ".pb but the graph has " + graph.outputs().size() + " outputs");
            outputs.add(read(dataSetDir.resolve("output_" + i + ".pb"), graph.outputs().get(i).type()));
        }
        return new DataSet(List.copyOf(inputs), List.copyOf(outputs));
    }

    /**
     * Serializes a tensor as a TensorProto: {@code raw_data} little-endian (sub-byte types packed two or four per
     * byte, LSB first), strings in {@code string_data}.
     */
    public static byte[] encodeTensor(Tensor t, String name) {
        ProtoWriter w = new ProtoWriter();
        for (long d : t.shape().dims()) w.int64(1, d);
        w.int64(2, t.dtype().onnxCode());
        if (name != null && !name.isEmpty()) w.string(8, name);
        long n = t.numel();
        if (t.dtype() == DType.STRING) {
            for (long i = 0; i < n; i++) w.string(6, t.getString(i));
            return w.toByteArray();
        }
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor too large to encode: " + t.shape());
        byte[] raw;
        if (t.dtype().isSubByte()) {
            int bits = TensorDecoder.fileBits(t.dtype()), perByte = 8 / bits, mask = (1 << bits) - 1;
            raw = new byte[(int) ((n * bits + 7) / 8)];
            MemorySegment c = t.contiguous().contiguousSegment();
            for (long i = 0; i < n; i++) {
                int v = c.get(ValueLayout.JAVA_BYTE, i) & mask;
                raw[(int) (i / perByte)] |= (byte) (v << (bits * (int) (i % perByte)));
            }
        } else {
            raw = t.contiguous().contiguousSegment().toArray(ValueLayout.JAVA_BYTE);
        }
        w.bytes(9, raw);
        return w.toByteArray();
    }

    private interface Body<T> { T run(); }

    private static <T> T guard(String name, Body<T> body) {
        try {
            return body.run();
        } catch (KilnException e) {
            throw e;
        } catch (IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            throw new ModelFormatException(name + ": malformed value: " + e, e);
        }
    }

    /** Native memory so wrapped tensors behave like the model's (heap segments cannot go to native kernels). */
    private static MemorySegment native_(byte[] bytes) {
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1, bytes.length), 64).asSlice(0, bytes.length);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return seg;
    }

    private static Tensor tensor(ProtoReader r) {
        return new TensorDecoder(null).decode(OnnxDecoder.tensor(r));
    }

    private static ValueType elementOf(ValueType t) {
        if (t instanceof ValueType.SequenceType s) return s.element();
        if (t instanceof ValueType.OptionalType o) return o.element();
        return ValueType.UNKNOWN;
    }

    private static DType dtypeOf(ValueType t) {
        return t instanceof ValueType.TensorType tt ? tt.dtype() : null;
    }

    private static TensorSequence sequence(ProtoReader r, ValueType.SequenceType expected) {
        List<Tensor> items = new ArrayList<>();
        int elemType = 0;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 2 -> elemType = r.int32();
                case 3 -> items.add(tensor(r.message("tensor_values[" + items.size() + "]")));
                case 4, 5, 6, 7 -> throw new UnsupportedOperatorException(r.source() + ": SequenceProto field " + r.field()
                        + " (sequences of sparse tensors, sequences, maps or optionals) is not supported");
                default -> r.skip();
            }
        }
        if (elemType != 0 && elemType != 1)
            throw new UnsupportedOperatorException(r.source() + ": SequenceProto elem_type " + elemType + " is not supported");
        DType dt = dtypeOf(expected.element());
        if (dt == null && !items.isEmpty()) dt = items.get(0).dtype();
        for (int i = 0; i < items.size(); i++)
            if (dt != null && items.get(i).dtype() != dt)
                throw new ModelFormatException(r.source() + ": sequence item " + i + " is " + items.get(i).dtype() + ", expected " + dt);
        return new TensorSequence(dt, items);
    }

    private static OptionalValue optional(ProtoReader r, ValueType.OptionalType expected) {
        Object value = null;
        int elemType = 0;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 2 -> elemType = r.int32();
                case 3 -> value = tensor(r.message("tensor_value"));
                case 5 -> {
                    ValueType inner = elementOf(expected);
                    ValueType.SequenceType st = inner instanceof ValueType.SequenceType s ? s : new ValueType.SequenceType(ValueType.UNKNOWN);
                    value = sequence(r.message("sequence_value"), st);
                }
                case 4, 6, 7 -> throw new UnsupportedOperatorException(r.source() + ": OptionalProto field " + r.field()
                        + " (sparse tensors, maps or nested optionals) is not supported");
                default -> r.skip();
            }
        }
        if (elemType > 5) throw new ModelFormatException(r.source() + ": OptionalProto elem_type " + elemType + " is unknown");
        return new OptionalValue(value, expected.element().toString());
    }
}
