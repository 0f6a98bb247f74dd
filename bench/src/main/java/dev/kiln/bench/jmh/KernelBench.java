package dev.kiln.bench.jmh;

import dev.kiln.runtime.cpu.Activation;
import dev.kiln.runtime.cpu.ConvKernels;
import dev.kiln.runtime.cpu.Elementwise;
import dev.kiln.runtime.cpu.KilnPool;
import dev.kiln.runtime.cpu.NnKernels;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The BERT-shaped non-GEMM kernels: softmax over attention scores [B, 12, S, S], layer normalization and GELU
 * over hidden states [B, S, 384], and a ResNet-style 3x3 convolution (64 -> 64 channels, 56 x 56, NCHW and NHWC).
 * Time per call in microseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class KernelBench {
    @Param({"1", "8"})
    public int batch;

    @Param({"128"})
    public int seq;

    @Param({"1"})
    public int threads;

    Tensor scores, hidden, scale, bias, image, imageNhwc, convW, convB;
    static final ConvKernels.Conv2d CONV3 = new ConvKernels.Conv2d(3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    KilnPool pool;

    @Setup(Level.Trial)
    public void setup() {
        Random r = new Random(1);
        scores = fill(r, batch, 12, seq, seq);
        hidden = fill(r, batch, seq, 384);
        scale = fill(r, 384);
        bias = fill(r, 384);
        image = fill(r, batch, 64, 56, 56);
        imageNhwc = image.permute(0, 2, 3, 1).contiguous();
        convW = fill(r, 64, 64, 3, 3);
        convB = fill(r, 64);
        pool = new KilnPool(threads);
    }

    static Tensor fill(Random r, long... dims) {
        Tensor t = Tensor.allocate(DType.F32, Shape.of(dims));
        for (long i = 0; i < t.numel(); i++) t.setDouble(i, r.nextGaussian());
        return t;
    }

    @Benchmark public Tensor softmax() { return NnKernels.softmax(scores, -1, false, false, pool); }

    @Benchmark public Tensor layerNorm() { return NnKernels.layerNorm(hidden, scale, bias, -1, 1e-12f, pool); }

    @Benchmark public Tensor conv3x3Nchw() { return ConvKernels.conv2d(image, convW, convB, 1, CONV3, pool); }

    @Benchmark public Tensor conv3x3Nhwc() { return ConvKernels.conv2dNhwc(imageNhwc, convW, convB, CONV3, pool); }

    @Benchmark public Tensor geluErf() { return Elementwise.unary(Activation.GELU_ERF, hidden); }
}
