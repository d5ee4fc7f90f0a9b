#!/usr/bin/env bash
# Artifact benchmark: the native upload-artifact + download-artifact store
# (ArtifactStore::upload + download) on the generated ~300 MB tree of bench/cache.
# Prints MB/s for upload, download and both (MB = 10^6 bytes of tree content), best of
# BENCH_ARTIFACT_RUNS (default 3), and checks the downloaded tree is identical.
#
# Usage: bench/artifact/run.sh BUILD_DIR
# Env: BENCH_ARTIFACT_MB (default 300); BENCH_ARTIFACT_RUNS (default 3).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/artifact/run.sh BUILD_DIR}
build=$(cd "$build" && pwd)
driver=$build/bench/cache_bench
mb=${BENCH_ARTIFACT_MB:-300}
runs=${BENCH_ARTIFACT_RUNS:-3}
[[ -x $driver ]] || { echo "bench/artifact: no $driver (ninja -C $build cache_bench)" >&2; exit 2; }

work=$(mktemp -d /tmp/pw-bench-artifact.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 "$here/../cache/gen_tree.py" "$work/tree" "$mb"
bytes=$(du -sb "$work/tree" | cut -f1)

best_up=
best_down=
for ((i = 1; i <= runs; i++)); do
  rm -rf "$work/data" "$work/tree.download"
  out=$("$driver" artifact "$work/tree" "$work/data")
  up=$(awk '$1 == "upload" {print $2}' <<<"$out")
  down=$(awk '$1 == "download" {print $2}' <<<"$out")
  archive=$(awk '$1 == "archive_bytes" {print $2}' <<<"$out")
  diff -r "$work/tree" "$work/tree.download" >/dev/null || { echo "bench/artifact: downloaded tree differs" >&2; exit 1; }
  printf 'run %d: upload %.3fs download %.3fs (archive %d B)\n' "$i" "$up" "$down" "$archive"
  if [[ -z $best_up ]] || (($(echo "$up < $best_up" | bc -l))); then best_up=$up; fi
  if [[ -z $best_down ]] || (($(echo "$down < $best_down" | bc -l))); then best_down=$down; fi
done
mbytes=$(echo "$bytes / 1000000" | bc -l)
printf 'tree: %d bytes, %d files\n' "$bytes" "$(find "$work/tree" -type f | wc -l)"
printf 'upload: %.1f MB/s\n' "$(echo "$mbytes / $best_up" | bc -l)"
printf 'download: %.1f MB/s\n' "$(echo "$mbytes / $best_down" | bc -l)"
printf 'upload+download: %.1f MB/s\n' "$(echo "$mbytes / ($best_up + $best_down)" | bc -l)"
