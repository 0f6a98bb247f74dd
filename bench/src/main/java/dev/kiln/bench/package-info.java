/**
 * Benchmarks: JMH microbenchmarks of Kiln's kernels and end-to-end model latency, side by side with peer engines.
 *
 * <p>What belongs here: JMH benchmark classes and the harness code that compares Kiln with OpenBLAS and ONNX
 * Runtime on the same inputs. This is the only module allowed to depend on those peers (and on JMH); runtime jars
 * stay free of third-party dependencies. Speed is measured here, never asserted in unit tests. Benchmarks run
 * with plain {@code java -cp bench/target/classes:bench/target/lib/*} after {@code mvn package}.
 */
package dev.kiln.bench;
