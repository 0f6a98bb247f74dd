package dev.kiln.tests.robust;

import dev.kiln.graph.Dim;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.text.IrParser;
import dev.kiln.runtime.IoInfo;
import dev.kiln.runtime.Session;
import dev.kiln.runtime.SessionOptions;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The patterns O2/O3 fuse (MatMul+bias+activation, Add+LayerNormalization, erf-GELU, scaled-dot-product attention)
 * with every input a random non-contiguous view and a random size (zero included) for the symbolic dim N: the fused CPU kernels
 * must give the reference interpreter's answer on the dense copies.
 */
class FusedPatternViewsPropertyTest {
    static final Map<String, String> GRAPHS = Map.of(
            "ffn_relu", """
                    graph ffn opset(ai.onnx=17) {
                      input %x:float32[N,5]
                      input %w:float32[5,7]
                      input %b:float32[7]
                      %m:float32[N,7] = MatMul(%x, %w)
                      %a:float32[N,7] = Add(%m, %b)
                      %y:float32[N,7] = Relu(%a)
                      return %y:float32[N,7]
                    }
                    """,
            "ffn_gelu", """
                    graph ffn opset(ai.onnx=17) {
                      input %x:float32[2,N,6]
                      input %w:float32[6,9]
                      input %b:float32[9]
                      init %sqrt2:float32[] = float32[]{1.4142135}
                      init %one:float32[] = float32[]{1.0}
                      init %half:float32[] = float32[]{0.5}
                      %m:float32[2,N,9] = MatMul(%x, %w)
                      %a:float32[2,N,9] = Add(%m, %b)
                      %d:float32[2,N,9] = Div(%a, %sqrt2)
                      %e:float32[2,N,9] = Erf(%d)
                      %p:float32[2,N,9] = Add(%e, %one)
                      %q:float32[2,N,9] = Mul(%a, %p)
                      %y:float32[2,N,9] = Mul(%q, %half)
                      return %y:float32[2,N,9]
                    }
                    """,
            "skip_layer_norm", """
                    graph sln opset(ai.onnx=17) {
                      input %x:float32[N,3,8]
                      input %r:float32[N,3,8]
                      init %g:float32[8] = float32[8]{1.0, 0.5, -1.0, 2.0, 0.25, 1.5, -0.5, 1.0}
                      init %be:float32[8] = float32[8]{0.0, 0.1, -0.2, 0.3, 0.0, -0.1, 0.2, 0.5}
                      init %two:float32[] = float32[]{2.0}
                      init %eps:float32[] = float32[]{1e-05}
                      %s:float32[N,3,8] = Add(%x, %r)
                      %mu:float32[N,3,1] = ReduceMean[axes=[-1]](%s)
                      %dv:float32[N,3,8] = Sub(%s, %mu)
                      %sq:float32[N,3,8] = Pow(%dv, %two)
                      %var:float32[N,3,1] = ReduceMean[axes=[-1]](%sq)
                      %ve:float32[N,3,1] = Add(%var, %eps)
                      %sd:float32[N,3,1] = Sqrt(%ve)
                      %nn:float32[N,3,8] = Div(%dv, %sd)
                      %gm:float32[N,3,8] = Mul(%nn, %g)
                      %y:float32[N,3,8] = Add(%gm, %be)
                      return %y:float32[N,3,8]
                    }
                    """,
            "attention", """
                    graph att opset(ai.onnx=17) {
                      input %q:float32[1,2,N,4]
                      input %k:float32[1,2,N,4]
                      input %v:float32[1,2,N,4]
                      input %mask:float32[1,1,1,N]
                      init %scale:float32[] = float32[]{2.0}
                      %kt:float32[1,2,4,N] = Transpose[perm=[0, 1, 3, 2]](%k)
                      %s:float32[1,2,N,N] = MatMul(%q, %kt)
                      %d:float32[1,2,N,N] = Div(%s, %scale)
                      %m:float32[1,2,N,N] = Add(%d, %mask)
                      %p:float32[1,2,N,N] = Softmax[axis=-1](%m)
                      %y:float32[1,2,N,4] = MatMul(%p, %v)
                      return %y:float32[1,2,N,4]
                    }
                    """);

    private static final Map<String, Session> SESSIONS = new ConcurrentHashMap<>();

    static Session session(String pattern, SessionOptions o) {
        return SESSIONS.computeIfAbsent(pattern + "|" + o, k -> Session.of(IrParser.parse(GRAPHS.get(pattern)), o));
    }

    /** Guards the property's point: at O3 each pattern really runs as fewer (fused) nodes. */
    @net.jqwik.api.Example
    void patternsAreFusedAtO3() {
        for (String p : GRAPHS.keySet()) {
            int o0 = session(p, Models.cpu(0)).graph().nodes().size(), o3 = session(p, Models.cpu(3)).graph().nodes().size();
            org.junit.jupiter.api.Assertions.assertTrue(o3 < o0, p + ": " + o0 + " nodes at O0, " + o3 + " at O3: "
                    + session(p, Models.cpu(3)).graph().nodes().stream().map(x -> x.opType()).toList());
        }
    }

    @Provide Arbitrary<String> patterns() { return Arbitraries.of(GRAPHS.keySet().stream().sorted().toList()); }

    @Property(tries = 120)
    void fusedKernelsOnViews(@ForAll("patterns") String pattern, @ForAll @IntRange(min = 0, max = 9) int n, @ForAll long seed) {
        Random rnd = new Random(seed);
        Session ref = session(pattern, Models.REF);
        Map<String, Tensor> views = new LinkedHashMap<>(), copies = new LinkedHashMap<>();
        StringBuilder how = new StringBuilder(pattern + " N=" + n);
        for (IoInfo in : ref.inputs()) {
            ValueType.TensorType tt = (ValueType.TensorType) in.type();
            long[] dims = new long[tt.rank()];
            for (int a = 0; a < dims.length; a++) dims[a] = tt.dims().get(a) instanceof Dim.Known k ? k.value() : n;
            long count = 1;
            for (long d : dims) count *= d;
            float[] v = new float[(int) count];
            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
            Views.View view = rnd.nextInt(4) == 0 ? new Views.View(Tensor.of(v, dims), "dense") : Views.random(Tensor.of(v, dims), rnd, !pattern.contains("layer_norm"));
            views.put(in.name(), view.tensor());
            copies.put(in.name(), view.tensor().copy());
            how.append(" | ").append(in.name()).append(": ").append(view.how());
        }
        Map<String, Tensor> expected = ref.run(copies);
        for (int opt : new int[] {0, 2, 3})
            Models.assertAllClose(how + " [cpu O" + opt + "]", expected, session(pattern, Models.cpu(opt)).run(views));
    }
}
