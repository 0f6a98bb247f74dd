package dev.kiln.tests.opt;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.text.IrParseException;
import dev.kiln.graph.text.IrParser;
import dev.kiln.graph.text.IrPrinter;
import dev.kiln.ops.OpRegistry;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.ModelAnalysis;
import dev.kiln.runtime.ModelFiles;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * print(parse(print(g))) == print(g) for every ONNX backend node model: strictly (no zero-filling) for models whose
 * constants are all small enough to be printed with their values, and with zero-filling for the rest.
 */
class BackendSuiteIrRoundTripTest {
    @Test void everyBackendModelRoundTrips() throws IOException {
        String shared = System.getProperty("kiln.shared");
        Path suite = shared == null ? null : Path.of(shared, "onnx-backend", "node");
        Assumptions.assumeTrue(suite != null && Files.isDirectory(suite), "ONNX backend node suite not found; skipped");
        List<Path> models;
        try (Stream<Path> s = Files.list(suite)) {
            models = s.map(p -> p.resolve("model.onnx")).filter(Files::isRegularFile).sorted().toList();
        }
        int strict = 0, zeroFilled = 0, unloadable = 0;
        List<String> failures = new ArrayList<>();
        for (Path model : models) {
            List<String> texts = new ArrayList<>();
            boolean small;
            try (LoadedModel m = ModelFiles.load(model)) {
                texts.add(IrPrinter.print(m.graph()));
                small = onlySmallConstants(m.graph());
                // Inferred types add symbols, unknown dims and nested types: print those too.
                ModelAnalysis.infer(m.graph(), OpRegistry.standard());
                texts.add(IrPrinter.print(m.graph()));
            } catch (RuntimeException e) {
                unloadable++;   // importer rejects it (its own tests cover that); nothing to print
                continue;
            }
            for (String text : texts) {
                try {
                    String again = IrPrinter.print(IrParser.parse(text, small ? IrParser.Options.STRICT : IrParser.Options.ZERO_FILL));
                    if (!again.equals(text)) failures.add(model.getParent().getFileName() + ": text differs");
                } catch (IrParseException e) {
                    failures.add(model.getParent().getFileName() + ": " + e.getMessage());
                }
            }
            if (small) strict++; else zeroFilled++;
        }
        System.out.println("IR round trip: " + strict + " strict, " + zeroFilled + " zero-filled, " + unloadable + " not importable");
        assertTrue(failures.isEmpty(), failures.size() + " models do not round-trip:\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
        assertTrue(strict > models.size() * 3 / 4, "most backend models have only small constants: " + strict + " of " + models.size());
    }

    private static boolean onlySmallConstants(Graph g) {
        for (Value v : g.initializers()) if (v.constant() == null || v.constant().numel() > 8 || g.inputs().contains(v)) return false;
        for (Node n : g.nodes()) {
            for (Attribute a : n.attributes().values()) {
                switch (a.kind()) {
                    case TENSOR -> { if (a.asTensor().numel() > 8) return false; }
                    case TENSORS -> { for (Tensor t : a.asTensors()) if (t.numel() > 8) return false; }
                    case GRAPH -> { if (!onlySmallConstants(a.asGraph())) return false; }
                    case GRAPHS -> { for (Graph sg : a.asGraphs()) if (!onlySmallConstants(sg)) return false; }
                    default -> { }
                }
            }
        }
        return true;
    }
}
