/**
 * The elementwise fusion pass (O2): chains and DAGs of f32 elementwise ops become one
 * {@code dev.kiln.FusedElementwise} node whose program the {@code jvm} package compiles.
 */
package dev.kiln.codegen.opt.elementwise;
