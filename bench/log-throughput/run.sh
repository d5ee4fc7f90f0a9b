#!/usr/bin/env bash
# bench/log-throughput: a step printing SIZE_MB MiB with 50 secrets registered, under
# `pipewright run` (masking, stored zstd log, console to /dev/null) vs. the same
# generator into `cat > file`. Prints both times, the ratio (target <= 1.5), best of
# $BENCH_ROUNDS alternating rounds (bench/lib.sh), and pipewright's peak RSS (GNU time,
# the highest of the rounds).
# Usage: bench/log-throughput/run.sh BUILD_DIR [SIZE_MB]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
build=$(cd "${1:?usage: run.sh BUILD_DIR [SIZE_MB]}" && pwd)
size=${2:-1024}
pw=$build/src/pipewright/cli/pipewright
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p .github/workflows
gen="yes 'a line of build output with some words in it 0123456789' | head -c ${size}M"
cat >.github/workflows/log.yml <<YML
on: push
jobs:
  log:
    runs-on: ubuntu-latest
    steps:
      - run: $gen
YML
git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm x
export XDG_DATA_HOME=$work/.data CI=true
secrets=()
for i in $(seq 50); do secrets+=(-s "SECRET_$i=secret-value-number-$i-xyz"); done
baseline() { bash -c "$gen" | cat >"$work/out.txt"; }
candidate() { /usr/bin/time -f "%M" -a -o "$work/rss" "$pw" run --bind "${secrets[@]}"; }
read -r b p < <(best_times)
rss=$(sort -n "$work/rss" | tail -1)
awk -v b="$b" -v p="$p" -v s="$size" -v rss="$rss" -v r="${BENCH_ROUNDS:-3}" 'BEGIN {
  printf "log-throughput: %d MiB, 50 secrets  cat %.3fs  pipewright %.3fs  ratio %.3f (target <= 1.5; best of %d)  peak RSS %.1f MB\n", s, b, p, p / b, r, rss / 1024 }'
