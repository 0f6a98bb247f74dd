package dev.kiln.tests.robust;

import dev.kiln.graph.KilnException;
import dev.kiln.graph.text.IrParser;
import dev.kiln.ops.OpFailure;
import dev.kiln.runtime.Session;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A model whose constants ask for enormous tensors (ConstantOfShape, Expand, Tile, Range over initializers): load
 * (type inference, constant folding at O1+) and run must end in a typed error, never an OutOfMemoryError or a hang.
 */
class HugeConstantShapesTest {
    static final String[] BODIES = {
            """
              init %s:int64[2] = int64[2]{1073741824, 1073741824}
              %c:float32[1073741824,1073741824] = ConstantOfShape(%s)
              %y:float32[1073741824,1073741824] = Add(%x, %c)
            """,
            """
              init %one:float32[1] = float32[1]{1.0}
              init %s:int64[3] = int64[3]{65536, 65536, 65536}
              %c:float32[65536,65536,65536] = Expand(%one, %s)
              %y:float32[65536,65536,65536] = Add(%x, %c)
            """,
            """
              init %one:float32[1,1] = float32[1,1]{1.0}
              init %r:int64[2] = int64[2]{4294967296, 4294967296}
              %c:float32[4294967296,4294967296] = Tile(%one, %r)
              %y:float32[4294967296,4294967296] = Add(%x, %c)
            """,
            """
              init %a:float32[] = float32[]{0.0}
              init %b:float32[] = float32[]{1e18}
              init %d:float32[] = float32[]{1.0}
              %c:float32[?] = Range(%a, %b, %d)
              %y:float32[?] = Add(%x, %c)
            """,
    };

    @ParameterizedTest @ValueSource(ints = {0, 1, 2, 3})
    void typedErrorsNotOom(int opt) {
        for (String body : BODIES) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(%y:\\S+)").matcher(body);
            if (!m.find()) throw new IllegalStateException(body);
            String text = "graph g opset(ai.onnx=17) {\n  input %x:float32[1]\n" + body + "  return " + m.group(1) + "\n}\n";
            IrParser.parse(text);   // the text itself must be valid: errors below must come from Kiln, not the test
            String what = "O" + opt + " " + body.strip().lines().skip(body.strip().lines().count() - 2).findFirst().orElse("");
            for (String backend : new String[] {"reference", "cpu"}) {
                try (Session s = Session.of(IrParser.parse(text), Models.cpu(opt).withBackend(backend))) {
                    s.run(Map.of("x", Tensor.of(new float[] {1}, 1)));
                    fail(what + " " + backend + ": ran");
                } catch (KilnException | OpFailure expected) {
                    // Names the offending node, in words (no Java exception class names).
                    String op = body.replaceAll("(?s).*%c:\\S+ = (\\w+)\\(.*", "$1");
                    org.junit.jupiter.api.Assertions.assertTrue(expected.getMessage().contains(op)
                            && !expected.getMessage().contains("java."), what + " " + backend + ": " + expected.getMessage());
                } catch (Throwable t) {
                    fail(what + " " + backend + ": untyped " + t, t);
                }
            }
        }
    }

    /** Declared input dims whose product overflows: loading is fine or typed; a small input is refused as typed. */
    @ParameterizedTest @ValueSource(ints = {0, 1, 2, 3})
    void overflowingDeclaredInputShape(int opt) {
        String text = """
                graph g opset(ai.onnx=17) {
                  input %x:float32[4294967296,4294967296]
                  init %w:float32[1] = float32[1]{2.0}
                  %a:float32[4294967296,4294967296] = Mul(%x, %w)
                  %y:float32[4294967296,4294967296] = Relu(%a)
                  return %y:float32[4294967296,4294967296]
                }
                """;
        for (String backend : new String[] {"reference", "cpu"}) {
            try (Session s = Session.of(IrParser.parse(text), Models.cpu(opt).withBackend(backend))) {
                s.run(Map.of("x", Tensor.of(new float[] {1, 2}, 1, 2)));
                fail("O" + opt + " " + backend + ": ran on a [1, 2] input");
            } catch (KilnException | OpFailure expected) {
                org.junit.jupiter.api.Assertions.assertFalse(expected.getMessage().contains("java."), expected.getMessage());
            } catch (Throwable t) {
                fail("O" + opt + " " + backend + ": untyped " + t, t);
            }
        }
    }
}
