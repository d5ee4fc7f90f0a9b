#!/usr/bin/env bash
# bench/log-throughput: a step printing SIZE_MB MiB with 50 secrets registered, under
# `pipewright run` (masking, stored zstd log, console to /dev/null) vs. the same
# generator into `cat > file`. Prints both times, the ratio (target <= 1.5) and
# pipewright's peak RSS (GNU time).
# Usage: bench/log-throughput/run.sh BUILD_DIR [SIZE_MB]
set -euo pipefail
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
now() { date +%s.%N; }
t0=$(now)
bash -c "$gen" | cat >"$work/out.txt"
t1=$(now)
/usr/bin/time -f "%M" -o "$work/rss" "$pw" run --bind "${secrets[@]}" >/dev/null
t2=$(now)
awk -v b="$(echo "$t1 - $t0" | bc)" -v p="$(echo "$t2 - $t1" | bc)" -v s="$size" -v rss="$(cat "$work/rss")" 'BEGIN {
  printf "log-throughput: %d MiB, 50 secrets  cat %.3fs  pipewright %.3fs  ratio %.2f (target <= 1.5)  peak RSS %.1f MB\n", s, b, p, p / b, rss / 1024 }'
