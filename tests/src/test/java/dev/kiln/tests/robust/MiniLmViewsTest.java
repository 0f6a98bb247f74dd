package dev.kiln.tests.robust;

import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** MiniLM's int64 inputs as views (steps, reversed storage, permuted storage) give the dense copies' answer at O0 and O3. */
class MiniLmViewsTest {
    @Test void viewsMatchCopies() {
        Assumptions.assumeTrue(Models.haveMiniLm(), "no MiniLM model in ~/.cache/kiln");
        Map<String, Tensor> dense = SessionInputErrorsTest.bert(2, 9, 2);
        // A padded second row exercises the mask path too.
        Tensor mask = dense.get("attention_mask").copy();
        for (int j = 6; j < 9; j++) mask.setLong(9 + j, 0);
        Random rnd = new Random(7);
        Map<String, Tensor> views = new LinkedHashMap<>();
        views.put("input_ids", Views.strided(dense.get("input_ids"), 1, 3));
        views.put("attention_mask", Views.reversed(mask, 0));
        views.put("token_type_ids", Views.permuted(dense.get("token_type_ids"), rnd));
        Map<String, Tensor> copies = new LinkedHashMap<>();
        views.forEach((k, v) -> copies.put(k, v.copy()));
        Map<String, Tensor> before = new LinkedHashMap<>();
        copies.forEach((k, v) -> before.put(k, v.copy()));
        for (int opt : new int[] {0, 3})
            Models.assertAllClose("MiniLM O" + opt, MiniLm.session(opt).run(copies), MiniLm.session(opt).run(views));
        // Neither the views nor the dense inputs were written to by the runs.
        for (String k : before.keySet()) {
            Models.assertClose("input " + k + " (dense) after the runs", before.get(k), copies.get(k), 0, 0);
            Models.assertClose("input " + k + " (view) after the runs", before.get(k), views.get(k).copy(), 0, 0);
        }
    }
}
