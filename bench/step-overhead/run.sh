#!/usr/bin/env bash
# bench/step-overhead: one job with N trivial `run:` steps under `pipewright run`
# vs. the same N scripts run by a plain bash loop with the same shell template
# (`bash -e FILE`). Prints both times and the ratio (target <= 1.10), best of
# $BENCH_ROUNDS alternating rounds (bench/lib.sh).
# Usage: bench/step-overhead/run.sh BUILD_DIR [N]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
build=$(cd "${1:?usage: run.sh BUILD_DIR [N]}" && pwd)
n=${2:-1000}
pw=$build/src/pipewright/cli/pipewright
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p .github/workflows scripts
{
  echo "on: push"
  echo "jobs:"
  echo "  steps:"
  echo "    runs-on: ubuntu-latest"
  echo "    steps:"
  for i in $(seq "$n"); do echo "      - run: echo step $i"; done
} >.github/workflows/bench.yml
for i in $(seq "$n"); do echo "echo step $i" >"scripts/$i.sh"; done
git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm x
export XDG_DATA_HOME=$work/.data CI=true
baseline() { for i in $(seq "$n"); do bash -e "scripts/$i.sh"; done; }
candidate() { "$pw" run --bind; }
read -r b p < <(best_times)
awk -v b="$b" -v p="$p" -v n="$n" -v r="${BENCH_ROUNDS:-3}" 'BEGIN {
  printf "step-overhead: %d steps  bash loop %.3fs  pipewright %.3fs  ratio %.3f (target <= 1.10; best of %d)\n", n, b, p, p / b, r }'
