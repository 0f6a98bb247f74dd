package dev.kiln.formats.onnx;

import dev.kiln.graph.InvalidInputException;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.graph.ValueType;
import dev.kiln.formats.protobuf.ProtoWriter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Garbled models must fail with a typed Kiln error: mutations of real backend-suite models (bit flips, truncation,
 * length-field edits, spliced random bytes) either still load or throw ModelFormatException /
 * UnsupportedOperatorException / InvalidInputException — never another exception, a hang or an OOM.
 */
class MutatedModelProperties {
    private static final List<byte[]> MODELS = new ArrayList<>();
    private static final List<byte[]> VALUES = new ArrayList<>();
    private static final ExecutorService EXEC = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mutated-model-loader");
        t.setDaemon(true);
        return t;
    });

    static {
        Path suite = Path.of(System.getProperty("kiln.shared", "/work/shared"), "onnx-backend", "node");
        if (Files.isDirectory(suite)) {
            try (Stream<Path> s = Files.list(suite)) {
                for (Path d : s.sorted().toList()) {
                    Path m = d.resolve("model.onnx");
                    if (!Files.isRegularFile(m)) continue;
                    MODELS.add(Files.readAllBytes(m));
                    Path in = d.resolve("test_data_set_0/input_0.pb");
                    if (Files.isRegularFile(in) && Files.size(in) < 100_000) VALUES.add(Files.readAllBytes(in));
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }
        // Always have something, even without the shared suite.
        if (MODELS.isEmpty()) MODELS.add(Pb.model(13, Pb.graph("g", Pb.input("x", 1, 2),
                Pb.initializer(Pb.tensorRaw("w", 1, new long[] {2}, Pb.floatsLE(1, 2))),
                Pb.node("Add", List.of("x", "w"), List.of("y")), Pb.output("y", 1, 2))));
        if (VALUES.isEmpty()) VALUES.add(new ProtoWriter().int64(1, 2).int64(2, 1).packedFloats(4, 1f, 2f).toByteArray());
    }

    static byte[] mutate(byte[] src, int kind, long seed) {
        Random r = new Random(seed);
        byte[] b = src.clone();
        if (b.length == 0) return b;
        switch (kind) {
            case 0 -> { // bit flips
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips; i++) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length));   // truncation
            case 2 -> { // length-field edit: overwrite a byte after a LEN tag with a big or off-by-some varint
                int at = r.nextInt(b.length);
                for (int i = at; i < b.length - 1; i++) if ((b[i] & 7) == 2) { at = i + 1; break; }
                byte[] v = new ProtoWriter().rawVarint(switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(256);
                    case 1 -> Integer.MAX_VALUE;
                    case 2 -> -1L;
                    default -> (b[at] & 0x7F) + r.nextInt(5) - 2L;
                }).toByteArray();
                byte[] out = new byte[b.length - 1 + v.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(v, 0, out, at, v.length);
                System.arraycopy(b, at + 1, out, at + v.length, b.length - at - 1);
                b = out;
            }
            case 3 -> { // splice random bytes over a region
                int at = r.nextInt(b.length), n = 1 + r.nextInt(Math.min(32, b.length - at));
                for (int i = 0; i < n; i++) b[at + i] = (byte) r.nextInt(256);
            }
            case 4 -> { // a dims/varint value blown up to a huge number
                int at = r.nextInt(b.length);
                b[at] = (byte) 0xFF;
                if (at + 1 < b.length) b[at + 1] = (byte) 0xFF;
            }
            default -> { // entirely random bytes
                b = new byte[r.nextInt(512)];
                r.nextBytes(b);
            }
        }
        return b;
    }

    static void expectTypedOutcome(Runnable load, String what) {
        Future<?> f = EXEC.submit(load);
        try {
            f.get(20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail(what + ": load did not finish within 20 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            // The loaders' last-resort guard wraps unexpected runtime exceptions; reaching it means a missing check.
            if (c instanceof ModelFormatException && c.getCause() instanceof RuntimeException)
                throw new AssertionError(what + ": a check is missing, caught only by the guard: " + c, c);
            if (c instanceof ModelFormatException || c instanceof UnsupportedOperatorException || c instanceof InvalidInputException) return;
            throw new AssertionError(what + ": untyped failure " + c, c);
        }
    }

    @Property(tries = 3000)
    void mutatedModelsFailWithTypedErrors(@ForAll @IntRange(min = 0, max = 100_000) int pick,
                                          @ForAll @IntRange(min = 0, max = 5) int kind, @ForAll long seed) {
        byte[] model = mutate(MODELS.get(pick % MODELS.size()), kind, seed);
        expectTypedOutcome(() -> { try (OnnxModel m = OnnxModel.load(model, "mutated.onnx")) { m.graph(); } },
                "model " + pick % MODELS.size() + " kind " + kind + " seed " + seed);
    }

    @Property(tries = 1000)
    void mutatedValuesFailWithTypedErrors(@ForAll @IntRange(min = 0, max = 100_000) int pick,
                                          @ForAll @IntRange(min = 0, max = 5) int kind, @ForAll long seed,
                                          @ForAll @IntRange(min = 0, max = 2) int as) {
        byte[] value = mutate(VALUES.get(pick % VALUES.size()), kind, seed);
        ValueType t = switch (as) {
            case 0 -> ValueType.UNKNOWN;
            case 1 -> new ValueType.SequenceType(ValueType.UNKNOWN);
            default -> new ValueType.OptionalType(ValueType.UNKNOWN);
        };
        expectTypedOutcome(() -> OnnxValues.decode(value, "mutated.pb", t), "value kind " + kind + " seed " + seed);
    }
}
