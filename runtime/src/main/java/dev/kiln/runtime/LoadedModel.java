package dev.kiln.runtime;

import dev.kiln.graph.Graph;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * A model file as imported: its graph plus the header fields {@code kiln inspect} shows. The importer may map
 * the file and let initializers view the mapping, so the graph is valid only until {@link #close()}.
 *
 * @param irVersion -1 when unknown
 * @param producer  producer name and version, possibly empty
 * @param owner     what to release on close (the file mapping), or null
 * @param scope     the lifetime of memory that {@code owner} releases, or null
 */
public record LoadedModel(Graph graph, long irVersion, String producer, AutoCloseable owner,
                          MemorySegment.Scope scope) implements AutoCloseable {
    public LoadedModel {
        producer = producer == null ? "" : producer;
    }

    public static LoadedModel of(Graph graph) { return new LoadedModel(graph, -1, "", null, null); }

    /** Whether the tensor's memory dies with this model (a weight, or a view of one). */
    public boolean owns(Tensor t) {
        return scope != null && t != null && t.segment() != null && t.segment().scope().equals(scope);
    }

    @Override public void close() {
        if (owner == null) return;
        try {
            owner.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot release model " + graph.name() + ": " + e.getMessage(), e);
        }
    }
}
