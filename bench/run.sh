#!/usr/bin/env bash
# Every benchmark (`make bench`): the lint comparison against actionlint, then every
# other bench/<name>/run.sh BUILD_DIR (each compares against its own baseline), then each
# Google Benchmark executable built under BUILD_DIR/bench/ (bench/<layer>/*_bench.cc).
# docs/performance.md explains each one and keeps the measured figures.
#
# Usage: bench/run.sh BUILD_DIR
# Env: BENCH_MIN_TIME (default 0.2) seconds per Google Benchmark case.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/run.sh BUILD_DIR}
build=$(cd "$build" && pwd)
min_time=${BENCH_MIN_TIME:-0.2}
failed=()

echo "== machine: $(nproc) cpus, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(date -u +%Y-%m-%dT%H:%MZ)"

echo "== lint: pipewright lint vs actionlint (bench/lint/run.sh)"
"$here/lint/run.sh" "$build" || failed+=(lint)

for script in "$here"/*/run.sh; do
  name=$(basename "$(dirname "$script")")
  [[ $name == lint ]] && continue
  echo "== $name (bench/$name/run.sh)"
  "$script" "$build" || failed+=("$name")
done

mapfile -t benches < <(find "$build/bench" -type f -name '*_bench' -perm -u+x 2>/dev/null | sort)
if ((${#benches[@]} == 0)); then
  echo "== no Google Benchmark executables under $build/bench (libbenchmark-dev missing, or none written yet)"
fi
for exe in "${benches[@]}"; do
  echo "== $(basename "$exe") (--benchmark_min_time=$min_time)"
  "$exe" --benchmark_min_time="$min_time" || failed+=("$(basename "$exe")")
done

if ((${#failed[@]})); then
  echo "bench: FAILED: ${failed[*]}" >&2
  exit 1
fi
