/**
 * Cross-module tests: anything that needs the whole stack or the repository itself.
 *
 * <p>What belongs here: the ONNX backend node-test conformance suite (with its pass-count ratchet), end-to-end
 * model tests against reference outputs in {@code ../shared}, structural checks of the repository
 * ({@link dev.kiln.tests.ModuleDagTest}: the module DAG and zero third-party runtime dependencies) and of the
 * {@code kiln} launcher ({@link dev.kiln.tests.LauncherTest}). Unit tests of one module live in that module.
 * System properties {@code kiln.root} and {@code kiln.shared} (set by the root pom) locate the repository and the
 * shared data.
 */
package dev.kiln.tests;
