package dev.kiln.formats.gguf;

import dev.kiln.tensor.DType;

/**
 * ggml tensor element types as GGUF stores them: plain types map to a Kiln {@link DType}; block-quantized types are
 * described by their block size (elements) and block bytes, and stay raw bytes for kernels that understand them.
 */
public enum GgmlType {
    F32(0, 1, 4, DType.F32),
    F16(1, 1, 2, DType.F16),
    Q4_0(2, 32, 18, null),
    Q4_1(3, 32, 20, null),
    Q5_0(6, 32, 22, null),
    Q5_1(7, 32, 24, null),
    Q8_0(8, 32, 34, null),
    Q8_1(9, 32, 36, null),
    Q2_K(10, 256, 84, null),
    Q3_K(11, 256, 110, null),
    Q4_K(12, 256, 144, null),
    Q5_K(13, 256, 176, null),
    Q6_K(14, 256, 210, null),
    Q8_K(15, 256, 292, null),
    I8(24, 1, 1, DType.I8),
    I16(25, 1, 2, DType.I16),
    I32(26, 1, 4, DType.I32),
    I64(27, 1, 8, DType.I64),
    F64(28, 1, 8, DType.F64),
    BF16(30, 1, 2, DType.BF16);

    private final int code;
    private final int blockElements;
    private final int blockBytes;
    private final DType dtype;

    GgmlType(int code, int blockElements, int blockBytes, DType dtype) {
        this.code = code;
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
        this.dtype = dtype;
    }

    public int code() { return code; }
    /** Elements per block (1 for plain types). */
    public int blockElements() { return blockElements; }
    public int blockBytes() { return blockBytes; }
    /** The Kiln dtype for plain types, null for block-quantized ones. */
    public DType dtype() { return dtype; }
    public boolean isQuantized() { return dtype == null; }

    /** The type for a ggml code, or null when Kiln does not know it. */
    public static GgmlType fromCode(long code) {
        for (GgmlType t : values()) if (t.code == code) return t;
        return null;
    }
}
