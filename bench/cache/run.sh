#!/usr/bin/env bash
# Cache benchmark: the native actions/cache store (CacheStore::save + restore: tar +
# zstd via libarchive/libzstd, safe extraction) against `tar -I 'zstd -T0' -cf` +
# `tar -xf` on the same generated ~300 MB tree of small and large files. Each side runs
# BENCH_CACHE_RUNS times (default 3), alternating; the best total counts. Prints both,
# the ratio pipewright/tar (target <= 1.0) and checks the restored tree is identical.
#
# Usage: bench/cache/run.sh BUILD_DIR
# Env: BENCH_CACHE_MB (default 300) tree size; BENCH_CACHE_RUNS (default 3);
#      BENCH_CACHE_DIR (default: a temporary directory) where the tree is made.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/cache/run.sh BUILD_DIR}
build=$(cd "$build" && pwd)
driver=$build/bench/cache_bench
mb=${BENCH_CACHE_MB:-300}
runs=${BENCH_CACHE_RUNS:-3}
[[ -x $driver ]] || { echo "bench/cache: no $driver (ninja -C $build cache_bench)" >&2; exit 2; }

work=${BENCH_CACHE_DIR:-$(mktemp -d /tmp/pw-bench-cache.XXXXXX)}
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
python3 "$here/gen_tree.py" "$work/tree" "$mb"
bytes=$(du -sb "$work/tree" | cut -f1)

now() { date +%s.%N; }
# User + system CPU seconds of this shell's finished children (bash `times`, 2nd line);
# `times` must run in this shell, not in a $(...) subshell.
children_cpu() {
  times >"$work/times"
  sed -n 2p "$work/times" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }'
}
best_pw=
best_tar=
for ((i = 1; i <= runs; i++)); do
  # pipewright: save, move the tree aside, restore it in place.
  rm -rf "$work/data" "$work/tree.orig"
  out=$("$driver" cache "$work/tree" "$work/data")
  pw_cpu=$(awk '$1 == "cpu" {print $2}' <<<"$out")
  save=$(awk '$1 == "save" {print $2}' <<<"$out")
  restore=$(awk '$1 == "restore" {print $2}' <<<"$out")
  archive=$(awk '$1 == "archive_bytes" {print $2}' <<<"$out")
  diff -r "$work/tree.orig" "$work/tree" >/dev/null || { echo "bench/cache: restored tree differs" >&2; exit 1; }
  rm -rf "$work/tree.orig"
  pw=$(echo "$save + $restore" | bc -l)

  # tar + zstd -T0 on the same tree.
  rm -rf "$work/tar-out" "$work/tree.tar.zst"
  mkdir -p "$work/tar-out"
  children_cpu >"$work/cpu0"
  cpu0=$(<"$work/cpu0")
  t0=$(now)
  tar -I 'zstd -T0' -cf "$work/tree.tar.zst" -C "$work" tree
  t1=$(now)
  tar -xf "$work/tree.tar.zst" -C "$work/tar-out"
  t2=$(now)
  children_cpu >"$work/cpu1"
  tar_cpu=$(echo "$(<"$work/cpu1") - $cpu0" | bc -l)
  tar_c=$(echo "$t1 - $t0" | bc -l)
  tar_x=$(echo "$t2 - $t1" | bc -l)
  tar_archive=$(stat -c %s "$work/tree.tar.zst")
  rm -rf "$work/tar-out" "$work/tree.tar.zst"
  tt=$(echo "$tar_c + $tar_x" | bc -l)
  printf 'run %d: pipewright save %.3fs restore %.3fs (cpu %.2fs, archive %d B) | tar create %.3fs extract %.3fs (cpu %.2fs, archive %d B)\n' \
    "$i" "$save" "$restore" "$pw_cpu" "$archive" "$tar_c" "$tar_x" "$tar_cpu" "$tar_archive"
  if [[ -z $best_pw ]] || (($(echo "$pw < $best_pw" | bc -l))); then best_pw=$pw; fi
  if [[ -z $best_tar ]] || (($(echo "$tt < $best_tar" | bc -l))); then best_tar=$tt; fi
done
printf 'tree: %d bytes, %d files\n' "$bytes" "$(find "$work/tree" -type f | wc -l)"
printf 'pipewright save+restore: %.3f s (best of %d)\n' "$best_pw" "$runs"
printf 'tar -I zstd -T0 -cf + tar -xf: %.3f s (best of %d)\n' "$best_tar" "$runs"
printf 'ratio pipewright/tar: %.3f (target <= 1.0)\n' "$(echo "$best_pw / $best_tar" | bc -l)"
