package dev.kiln.tensor;

/**
 * Element types Kiln knows, with their ONNX {@code TensorProto.DataType} codes.
 *
 * <p>{@link #byteSize()} is the size of one element <em>in Kiln's memory</em>. Sub-byte types (int4, int2, float4)
 * are stored unpacked, one element per byte, so every view and kernel can address them like int8; packing happens
 * only at file boundaries. {@link #STRING} is non-numeric: its tensors hold Java strings, not a memory segment.
 */
public enum DType {
    F32(1, 4, "float32", Kind.FLOAT),
    U8(2, 1, "uint8", Kind.UNSIGNED),
    I8(3, 1, "int8", Kind.SIGNED),
    U16(4, 2, "uint16", Kind.UNSIGNED),
    I16(5, 2, "int16", Kind.SIGNED),
    I32(6, 4, "int32", Kind.SIGNED),
    I64(7, 8, "int64", Kind.SIGNED),
    STRING(8, 0, "string", Kind.OTHER),
    BOOL(9, 1, "bool", Kind.BOOL),
    F16(10, 2, "float16", Kind.FLOAT),
    F64(11, 8, "float64", Kind.FLOAT),
    U32(12, 4, "uint32", Kind.UNSIGNED),
    U64(13, 8, "uint64", Kind.UNSIGNED),
    BF16(16, 2, "bfloat16", Kind.FLOAT),
    F8E4M3FN(17, 1, "float8e4m3fn", Kind.FLOAT),
    F8E4M3FNUZ(18, 1, "float8e4m3fnuz", Kind.FLOAT),
    F8E5M2(19, 1, "float8e5m2", Kind.FLOAT),
    F8E5M2FNUZ(20, 1, "float8e5m2fnuz", Kind.FLOAT),
    U4(21, 1, "uint4", Kind.UNSIGNED),
    I4(22, 1, "int4", Kind.SIGNED),
    F4E2M1(23, 1, "float4e2m1", Kind.FLOAT),
    F8E8M0(24, 1, "float8e8m0", Kind.FLOAT),
    U2(25, 1, "uint2", Kind.UNSIGNED),
    I2(26, 1, "int2", Kind.SIGNED);

    /** Coarse numeric class, used by kernels to pick an integer or floating path. */
    public enum Kind { FLOAT, SIGNED, UNSIGNED, BOOL, OTHER }

    private final int onnxCode;
    private final int byteSize;
    private final String displayName;
    private final Kind kind;

    DType(int onnxCode, int byteSize, String displayName, Kind kind) {
        this.onnxCode = onnxCode;
        this.byteSize = byteSize;
        this.displayName = displayName;
        this.kind = kind;
    }

    public int onnxCode() { return onnxCode; }
    /** Bytes per element in Kiln's memory (sub-byte types take one byte each; string is 0). */
    public int byteSize() { return byteSize; }
    /** numpy-style name, e.g. {@code float32}. */
    public String displayName() { return displayName; }
    public Kind kind() { return kind; }

    public boolean isFloatingPoint() { return kind == Kind.FLOAT; }
    public boolean isInteger() { return kind == Kind.SIGNED || kind == Kind.UNSIGNED; }
    public boolean isSigned() { return kind == Kind.SIGNED || kind == Kind.FLOAT; }
    public boolean isNumeric() { return kind != Kind.OTHER; }
    /** Packed into fewer than 8 bits in ONNX files (int4, uint4, int2, uint2, float4e2m1). */
    public boolean isSubByte() { return this == U4 || this == I4 || this == U2 || this == I2 || this == F4E2M1; }
    /** Narrow float formats that Kiln stores as raw bit patterns and converts through f32. */
    public boolean isFloat8OrSmaller() {
        return this == F8E4M3FN || this == F8E4M3FNUZ || this == F8E5M2 || this == F8E5M2FNUZ
                || this == F8E8M0 || this == F4E2M1;
    }

    private static final DType[] BY_CODE = new DType[32];
    static {
        for (DType t : values()) BY_CODE[t.onnxCode] = t;
    }

    /** The type for an ONNX data-type code, or throws {@link IllegalArgumentException} naming the code. */
    public static DType fromOnnx(int code) {
        DType t = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (t == null) throw new IllegalArgumentException("unknown ONNX tensor data type code " + code);
        return t;
    }

    /** Looks a type up by {@link #displayName()} ({@code float32}) or enum name ({@code F32}). */
    public static DType parse(String name) {
        for (DType t : values()) if (t.displayName.equals(name) || t.name().equalsIgnoreCase(name)) return t;
        if (name.equals("float")) return F32;
        if (name.equals("double")) return F64;
        throw new IllegalArgumentException("unknown dtype '" + name + "'");
    }

    @Override public String toString() { return displayName; }
}
