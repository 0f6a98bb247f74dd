package dev.kiln.codegen.jvm;

import dev.kiln.codegen.loop.ElementLoop;
import dev.kiln.ops.fused.FusedElementwiseProgram;
import jdk.incubator.vector.FloatVector;

import java.lang.invoke.MethodHandles;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates, defines and caches row kernels. One hidden class per (program, broadcast pattern, vector width);
 * the key is {@link ElementLoop#key} plus the width, so identical fused nodes across models share code. Hidden
 * classes are unloaded with their last reference, which this cache keeps for the life of the JVM (programs are
 * few and small).
 */
public final class KernelCompiler {
    private KernelCompiler() {}

    /**
     * Vector width of generated kernels, chosen once: {@code -Dkiln.vector.bits=0|128|256|512} (the CPU backend's
     * switch, same meaning; 0 = scalar loops), else the hardware's preferred width capped at 512.
     */
    public static final int BITS = chooseBits(System.getProperty("kiln.vector.bits"));

    private static final Map<String, RowKernel> CACHE = new ConcurrentHashMap<>();
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final AtomicLong GENERATED = new AtomicLong();

    static int chooseBits(String p) {
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

    /** The cached kernel for this program and broadcast pattern at the default width. */
    public static RowKernel kernel(FusedElementwiseProgram p, boolean[] rowBroadcast) {
        return kernel(p, rowBroadcast, BITS);
    }

    /** As {@link #kernel(FusedElementwiseProgram, boolean[])} at an explicit width (tests, benchmarks). */
    public static RowKernel kernel(FusedElementwiseProgram p, boolean[] rowBroadcast, int bits) {
        return kernel(p, rowBroadcast, null, bits);
    }

    /**
     * The kernel of a reducing program when {@code reduce} is set: it writes one value per row, at
     * {@code outStart}, instead of one per element.
     */
    public static RowKernel kernel(FusedElementwiseProgram p, boolean[] rowBroadcast, FusedElementwiseProgram.Reduction reduce, int bits) {
        String key = ElementLoop.key(p, rowBroadcast, reduce) + "|v" + bits;
        RowKernel k = CACHE.get(key);
        if (k != null) return k;
        return CACHE.computeIfAbsent(key, x -> define(ElementLoop.lower(p, rowBroadcast, reduce), bits));
    }

    /** Number of classes generated so far (cache misses), for tests and reports. */
    public static long generatedCount() { return GENERATED.get(); }

    /** Emits and defines one loop as a hidden class (no cache). */
    public static RowKernel define(ElementLoop loop, int bits) {
        if (bits != 0 && bits != 128 && bits != 256 && bits != 512) throw new IllegalArgumentException("bad vector width " + bits);
        String name = KernelCompiler.class.getPackageName() + ".FusedRow" + COUNTER.incrementAndGet();
        byte[] bytes = KernelEmitter.emit(name, loop, bits);
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
            GENERATED.incrementAndGet();
            return (RowKernel) lookup.lookupClass().getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("generated kernel failed to load (a code generator bug) for\n" + loop, e);
        }
    }
}
