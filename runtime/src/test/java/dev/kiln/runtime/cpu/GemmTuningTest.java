package dev.kiln.runtime.cpu;

import dev.kiln.runtime.tune.Measurer;
import dev.kiln.runtime.tune.Progress;
import dev.kiln.runtime.tune.Strategy;
import dev.kiln.runtime.tune.TuningDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** A tiny tuning run end to end: candidates verified, the winner stored and then used by GEMM calls. */
class GemmTuningTest {
    @Test void tuneStoresAWinnerThatCallsThenUse(@TempDir Path dir) throws Exception {
        assumeFalse(VectorConfig.SCALAR);
        TuningDb db = TuningDb.load(dir.resolve("tuning.json"));
        try (KilnPool pool = new KilnPool(2)) {
            GemmTuning.Tuned t = GemmTuning.tune(37, 45, 29, pool, Strategy.random(4, 3), new Measurer(0, 2, 0), Progress.NONE, db);
            assertTrue(t.gflops() > 0);
            assertEquals(1, db.size());
            db.save();
            assertEquals(1, TuningDb.load(dir.resolve("tuning.json")).size());
            // the in-process cache now answers the stored winner for this bucket
            GemmTuning.params(37, 45, 29, 2);
            assertEquals(t.params(), GemmTuning.params(37, 45, 29, 2));
        } finally {
            GemmTuning.reset();
        }
    }
}
