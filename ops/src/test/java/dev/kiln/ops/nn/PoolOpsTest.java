package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kiln.ops.nn.NnOpRunner.run;
import static dev.kiln.ops.nn.NnOpRunner.run1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PoolOpsTest {
    private static final Tensor X = Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);

    @Test
    void averagePoolCountIncludePadChangesOnlyTheDivisor() {
        List<Attribute> base = List.of(Attribute.of("kernel_shape", new long[]{2, 2}), Attribute.of("pads", new long[]{1, 1, 0, 0}));
        Tensor excl = run1("AveragePool", 22, base, X);
        assertArrayEquals(new float[]{1, 1.5f, 2.5f, 2.5f, 3, 4, 5.5f, 6, 7}, excl.toFloatArray(), 1e-6f);
        List<Attribute> incl = List.of(base.get(0), base.get(1), Attribute.of("count_include_pad", 1L));
        Tensor in = run1("AveragePool", 22, incl, X);
        assertArrayEquals(new float[]{0.25f, 0.75f, 1.25f, 1.25f, 3, 4, 2.75f, 6, 7}, in.toFloatArray(), 1e-6f);
    }

    @Test
    void ceilModeDropsAWindowThatStartsInThePadding() {
        // 3 wide, kernel 2, stride 2, no pads: floor -> 1 window, ceil -> 2 (second window is half outside).
        List<Attribute> a = List.of(Attribute.of("kernel_shape", new long[]{2, 2}), Attribute.of("strides", new long[]{2, 2}),
                Attribute.of("ceil_mode", 1L));
        Tensor y = run1("MaxPool", 22, a, X);
        assertEquals(Shape.of(1, 1, 2, 2), y.shape());
        assertArrayEquals(new float[]{5, 6, 8, 9}, y.toFloatArray());
        Tensor avg = run1("AveragePool", 22, a, X);
        assertArrayEquals(new float[]{3, 4.5f, 7.5f, 9}, avg.toFloatArray());
    }

    @Test
    void maxPoolIndicesHonourStorageOrder() {
        Tensor x = Tensor.of(new float[]{1, 9, 2, 3, 4, 5}, 1, 1, 2, 3);
        List<Attribute> a = List.of(Attribute.of("kernel_shape", new long[]{2, 2}));
        Tensor[] row = run("MaxPool", 22, 2, a, x);
        assertArrayEquals(new float[]{9, 9}, row[0].toFloatArray());
        assertArrayEquals(new long[]{1, 1}, row[1].toLongArray());
        Tensor[] col = run("MaxPool", 22, 2, List.of(a.get(0), Attribute.of("storage_order", 1L)), x);
        assertArrayEquals(new long[]{2, 2}, col[1].toLongArray());  // (0,1) column-major over 2 rows = 0 + 1*2
        assertEquals(DType.I64, col[1].dtype());
    }

    @Test
    void maxUnpoolPlacesValuesBackAtTheirIndices() {
        Tensor x = Tensor.of(new float[]{5, 6}, 1, 1, 1, 2);
        Tensor idx = Tensor.ofLongs(new long[]{1, 7}, 1, 1, 1, 2);
        Tensor y = run1("MaxUnpool", 22, List.of(Attribute.of("kernel_shape", new long[]{2, 2}), Attribute.of("strides", new long[]{2, 2})), x, idx);
        assertEquals(Shape.of(1, 1, 2, 4), y.shape());
        assertArrayEquals(new float[]{0, 5, 0, 0, 0, 0, 0, 6}, y.toFloatArray());
    }

    @Test
    void globalPoolsKeepUnitSpatialDims() {
        assertArrayEquals(new float[]{5}, run1("GlobalAveragePool", 22, List.of(), X).toFloatArray());
        Tensor m = run1("GlobalMaxPool", 22, List.of(), X);
        assertEquals(Shape.of(1, 1, 1, 1), m.shape());
        assertEquals(9f, m.getFloat(0));
    }
}
