package dev.kiln.runtime.docs;

import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

class OperatorsDocTableTest {
    @Test void rowsListVersionsAndBackendClaimsInBothNamingForms() {
        OpRegistry r = new OpRegistry();
        OpSchema.builder("Relu").since(6, 13, 14).kernel(ctx -> new Object[0]).register(r);
        OpSchema.builder("com.example", "Fancy").kernel(ctx -> new Object[0]).register(r);
        OpSchema.builder("Tanh").since(13).kernel(ctx -> new Object[0]).register(r);
        String doc = OperatorsDoc.generate(r, Map.of("cpu", Set.of("Relu"), "cuda", Set.of("com.example::Fancy")));
        assertTrue(doc.contains("| Relu | ai.onnx | 6, 13, 14 | ✓ | ✓ |  |  |"), doc);
        assertTrue(doc.contains("| Fancy | com.example | 1 | ✓ |  | ✓ |  |"), doc);
        assertTrue(doc.contains("| Tanh | ai.onnx | 13 | ✓ |  |  |  |"), doc);
        assertTrue(doc.contains("3 operators, 5 versioned definitions"), doc);
    }
}
