package dev.kiln.runtime.tune;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON, database, buckets and search strategies on a synthetic objective with a known optimum. */
class TuneLibraryTest {
    @Test void databaseRoundTripAndErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("sub/tuning.json");
        TuningDb db = TuningDb.load(f);
        assertEquals(0, db.size());
        TuningDb.Key k = new TuningDb.Key("cpu|x", "sgemm", 1, "f32", "m128_n384_k1536_t2");
        db.put(k, Map.of("mr", 4, "nv", 2), Map.of("gflops", 90.5));
        db.save();
        TuningDb back = TuningDb.load(f);
        assertEquals(Map.of("mr", 4, "nv", 2), back.find(k).params());
        assertEquals(90.5, back.find(k).metrics().get("gflops"));
        assertNull(back.find(new TuningDb.Key("cpu|y", "sgemm", 1, "f32", "m128_n384_k1536_t2")));
        Files.writeString(f, "{\"format\":\"kiln-tuning\",\"version\":99,\"entries\":[]}");
        assertThrows(IllegalStateException.class, () -> TuningDb.load(f));
        Files.writeString(f, "{not json");
        assertThrows(IllegalStateException.class, () -> TuningDb.load(f));
    }

    @Property(tries = 200)
    void bucketsRoundUpWithinOneAndAHalf(@ForAll @LongRange(min = 0, max = 1L << 40) long x) {
        long b = TuningDb.bucket(x);
        assertTrue(b >= x);
        assertTrue(x <= 4 ? b == x : b <= x * 3 / 2 + 1, () -> x + " -> " + b);
        assertEquals(b, TuningDb.bucket(b));
    }

    @Test void commonModelSizesKeepTheirOwnBucket() {
        for (long x : new long[] {32, 64, 96, 128, 384, 768, 1024, 1536, 3072}) assertEquals(x, TuningDb.bucket(x));
    }

    private static SearchSpace space() {
        return new SearchSpace().param("a", 1, 2, 3, 4, 5, 6).param("b", 10, 20, 30, 40).constraint(c -> c.get("a") != 6);
    }

    /** Cost with optimum at a=4, b=30; candidates with b=20 "compute wrong answers" and are rejected. */
    private static final Strategy.Evaluator EV = (c, m) -> {
        if (c.get("b") == 20) return null;
        double cost = 1000 + 100 * Math.abs(c.get("a") - 4) + 7 * Math.abs(c.get("b") - 30);
        return new Measurement(cost, 0, m.repeats());
    };

    @Test void exhaustiveFindsTheOptimumAndSkipsInvalid() {
        Strategy.Result r = Strategy.exhaustive().search(space(), EV, Measurer.standard(), Progress.NONE);
        assertEquals(4, r.best().get("a"));
        assertEquals(30, r.best().get("b"));
        assertEquals(20, r.measured());
        assertEquals(5, r.rejected());
    }

    @Property(tries = 20)
    void halvingAndRandomNeverPickARejectedCandidate(@ForAll @IntRange(min = 1, max = 30) int n, @ForAll long seed) {
        for (Strategy s : List.of(Strategy.successiveHalving(n, seed), Strategy.random(n, seed))) {
            Strategy.Result r = s.search(space(), EV, Measurer.standard(), Progress.NONE);
            if (r.best() != null) {
                assertTrue(r.best().get("b") != 20);
                assertTrue(space().isValid(r.best()));
            }
        }
        Strategy.Result full = Strategy.successiveHalving(1000, seed).search(space(), EV, Measurer.standard(), Progress.NONE);
        assertNotNull(full.best());
        assertEquals(4, full.best().get("a"));
        assertEquals(30, full.best().get("b"));
    }

    @Test void measurementStatistics() {
        Measurement m = Measurement.of(new long[] {5, 1, 3, 2, 4});
        assertEquals(3, m.medianNs());
        assertEquals(5, m.samples());
        assertEquals(1.0 / 3, m.spread(), 1e-12);
        assertTrue(Measurer.standard().measure(() -> {}).medianNs() >= 0);
    }

    @Test void fingerprintNamesTheCpu() {
        DeviceFingerprint f = DeviceFingerprint.cpu(256);
        assertTrue(f.key().startsWith("cpu|"));
        assertTrue(f.key().contains("v256"));
        assertEquals(Runtime.getRuntime().availableProcessors(), f.cores());
    }
}
