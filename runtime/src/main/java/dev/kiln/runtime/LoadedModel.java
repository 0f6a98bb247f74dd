package dev.kiln.runtime;

import dev.kiln.graph.Graph;

/**
 * A model file as imported: its graph plus the header fields {@code kiln inspect} shows.
 * {@code irVersion} is -1 and the producer strings are empty when the importer does not report them.
 */
public record LoadedModel(Graph graph, long irVersion, String producerName, String producerVersion) {
    public LoadedModel {
        producerName = producerName == null ? "" : producerName;
        producerVersion = producerVersion == null ? "" : producerVersion;
    }
}
