/**
 * Backend-neutral autotuning: a {@link dev.kiln.runtime.tune.SearchSpace} of named integer parameters with
 * constraints, {@link dev.kiln.runtime.tune.Strategy strategies} (exhaustive, random, successive halving) that
 * only rank candidates the evaluator accepted (outputs matched the reference), a
 * {@link dev.kiln.runtime.tune.Measurer} (warm-up, repeats, median and spread; wall or thread-CPU clock), and the
 * {@link dev.kiln.runtime.tune.TuningDb} JSON file under {@code ~/.cache/kiln/} ({@code -Dkiln.cache}) keyed by
 * {@link dev.kiln.runtime.tune.DeviceFingerprint}, kernel name and version, dtype and shape bucket. A GPU backend
 * supplies its own space, evaluator and fingerprint ({@link dev.kiln.runtime.tune.DeviceFingerprint#of}).
 */
package dev.kiln.runtime.tune;
