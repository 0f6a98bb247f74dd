/**
 * Model and data file formats. Everything here reads untrusted bytes, so every size is checked against the bytes
 * present before it is used, and every failure is a typed {@link dev.kiln.graph.KilnException}
 * ({@link dev.kiln.graph.ModelFormatException} naming the file, message/node and field;
 * {@link dev.kiln.graph.UnsupportedOperatorException} for valid features Kiln does not implement).
 *
 * <ul>
 *   <li>{@code protobuf}: {@link dev.kiln.formats.protobuf.ProtoReader}, a protobuf wire decoder over a
 *       {@link java.lang.foreign.MemorySegment} (so memory-mapped files parse in place), and a small
 *       {@link dev.kiln.formats.protobuf.ProtoWriter}.</li>
 *   <li>{@code onnx}: {@link dev.kiln.formats.onnx.OnnxModel#load(java.nio.file.Path)} imports a ModelProto into a
 *       {@link dev.kiln.graph.Graph}: nodes topologically sorted, names resolved through subgraph scopes (captured
 *       outer values are the same {@link dev.kiln.graph.Value}), model-local functions inlined, {@code raw_data}
 *       and external data wrapped from the mapping without copying, sub-byte types unpacked one element per
 *       byte. {@link dev.kiln.formats.onnx.OnnxValues} reads and writes test-data values (TensorProto,
 *       SequenceProto, OptionalProto).</li>
 *   <li>{@code npy}: {@link dev.kiln.formats.npy.Npy}, NumPy .npy v1-v3 read/write.</li>
 *   <li>{@code safetensors}: {@link dev.kiln.formats.safetensors.SafeTensors}, memory-mapped and validated.</li>
 *   <li>{@code gguf}: {@link dev.kiln.formats.gguf.GgufFile}, GGUF v2/v3 (memory-mapped; plain tensors as views,
 *       Q8_0/Q4_0 dequantized to f32, other quantizations as raw bytes).</li>
 *   <li>{@code json}: {@link dev.kiln.formats.json.Json}, a strict, depth-bounded JSON reader and writer.</li>
 *   <li>{@link dev.kiln.formats.MappedFile}: maps a file for the readers that parse in place (safetensors, GGUF).</li>
 * </ul>
 *
 * Import is two stages: {@code OnnxDecoder} turns bytes into plain message objects ({@code Msg}), then
 * {@code FunctionInliner} rewrites calls and {@code GraphBuilder} creates the IR. Keeping them apart lets inlining
 * rename values before any IR object exists. No op semantics or type inference live here.
 */
package dev.kiln.formats;
