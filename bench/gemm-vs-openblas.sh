#!/usr/bin/env bash
# Kiln SGEMM vs OpenBLAS cblas_sgemm, interleaved in one JVM per thread count (see GemmVsOpenBlas).
# usage: bench/gemm-vs-openblas.sh [reps]     (build first: mvn -q -pl bench -am -DskipTests package)
# 1 thread is timed on the calling thread's CPU clock (robust on a shared machine), 2 threads on the wall clock.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-9}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
CP=bench/target/classes
for m in tensor graph ops formats codegen runtime; do CP=$CP:$m/target/classes; done
CP=$CP:$(ls bench/target/lib/*.jar | grep -v '/kiln-' | tr '\n' :)
SHAPES=1024x1024x1024,128x1536x384,128x384x1536,128x384x384,128x1536x384x8,128x384x1536x8,128x384x384x8
echo "# $(date -u) load: $(cut -d' ' -f1-3 /proc/loadavg)"
OPENBLAS_NUM_THREADS=1 "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g -cp "$CP" \
  dev.kiln.bench.GemmVsOpenBlas --threads 1 --shapes $SHAPES --reps "$REPS" --min-ms 20 --cpu-time 2>&1 | grep -v '^WARNING'
# OpenBLAS workers spin ~2^28 cycles after a call unless told otherwise; --gap-ms lets both engines' workers park
OPENBLAS_THREAD_TIMEOUT=4 OPENBLAS_NUM_THREADS=2 "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g -cp "$CP" \
  dev.kiln.bench.GemmVsOpenBlas --threads 2 --shapes $SHAPES --reps "$REPS" --min-ms 40 --gap-ms 150 2>&1 | grep -v '^WARNING'
echo "# $(date -u) load: $(cut -d' ' -f1-3 /proc/loadavg)"
# 2 threads again, timed by the busiest thread's CPU time (robust to other processes, see --busiest-thread)
OPENBLAS_THREAD_TIMEOUT=4 OPENBLAS_NUM_THREADS=2 "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx2g -cp "$CP" \
  dev.kiln.bench.GemmVsOpenBlas --threads 2 --shapes $SHAPES --reps "$REPS" --min-ms 40 --gap-ms 150 --busiest-thread 2>&1 | grep -v '^WARNING'
echo "# $(date -u) load: $(cut -d' ' -f1-3 /proc/loadavg)"
