#!/usr/bin/env bash
# The long stress run (issue 6): 1 000 000 mixed requests on 64 threads, one in 500 dropped unclosed,
# invariants sampled while it runs; bounded to 30 minutes. The same test runs shorter in `mvn verify`.
#   bash scripts/stress-long.sh [requests] [--virtual]   (--virtual: on virtual threads, JDK 25)
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-1000000}"
jvm_args=()
if [ "${2:-}" = "--virtual" ]; then
  jvm_args=(-Djvm=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java -Dstress.virtual=true)
fi
mvn -B -q install -DskipTests -pl transport
mvn -B -pl transport surefire:test -Dtest=StressTest -Dstress.requests="$requests" -Dstress.threads=64 \
  -Dstress.seconds=1800 "${jvm_args[@]}" | grep -E "stress:|Tests run|FAIL"
