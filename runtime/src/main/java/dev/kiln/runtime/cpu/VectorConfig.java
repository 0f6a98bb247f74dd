package dev.kiln.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float vector species every CPU kernel uses, chosen once per JVM.
 *
 * <p>{@code -Dkiln.vector.bits=128|256|512} forces a width (wider than the hardware is emulated, slowly, which is
 * still useful to test), {@code 0} forces the scalar paths. Unset: the hardware's preferred species. It is a
 * static final so C2 folds it into every kernel; tests cover each mode by forking JVMs with the property set.
 */
public final class VectorConfig {
    private VectorConfig() {}

    /** Vector width in bits, 0 when kernels run scalar. */
    public static final int BITS = chooseBits();
    public static final boolean SCALAR = BITS == 0;
    /** The species for float kernels; a 128-bit placeholder in scalar mode (never used for arithmetic then). */
    public static final VectorSpecies<Float> F = switch (BITS) {
        case 0, 128 -> FloatVector.SPECIES_128;
        case 256 -> FloatVector.SPECIES_256;
        case 512 -> FloatVector.SPECIES_512;
        default -> throw new AssertionError(BITS);
    };
    /** Float lanes per vector (1 in scalar mode, so block sizes stay valid). */
    public static final int LANES = SCALAR ? 1 : F.length();

    private static int chooseBits() {
        String p = System.getProperty("kiln.vector.bits");
        int hw = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        if (p == null || p.isBlank()) return hw >= 128 ? Math.min(hw, 512) : 0;
        return switch (p.trim()) {
            case "0", "scalar" -> 0;
            case "128" -> 128;
            case "256" -> 256;
            case "512" -> 512;
            default -> throw new IllegalArgumentException("kiln.vector.bits must be 0, 128, 256 or 512, got '" + p + "'");
        };
    }

    /** A short description for logs and the tuning database: "512-bit" or "scalar". */
    public static String describe() { return SCALAR ? "scalar" : BITS + "-bit"; }
}
