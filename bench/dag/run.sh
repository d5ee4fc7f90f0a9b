#!/usr/bin/env bash
# bench/dag: N jobs of `sleep 0.05` in a random DAG (fixed seed) under
# `pipewright run -p 2` vs. GNU make -j2 running the same commands with the same
# dependencies and the same shell template as GitHub's (`bash -e FILE`; with `-c`,
# bash would exec `sleep` without forking, 0.8 ms less per job). Prints both times and
# the ratio (target <= 1.05), best of $BENCH_ROUNDS alternating rounds (bench/lib.sh).
# Usage: bench/dag/run.sh BUILD_DIR [N]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
build=$(cd "${1:?usage: run.sh BUILD_DIR [N]}" && pwd)
n=${2:-200}
pw=$build/src/pipewright/cli/pipewright
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p .github/workflows
# Each job i > 0 needs up to 3 earlier jobs, chosen by a fixed-seed generator.
python3 - "$n" <<'PY'
import random, sys
n = int(sys.argv[1])
rng = random.Random(42)
needs = [sorted(set(rng.randrange(i) for _ in range(rng.randint(0, 3)))) if i else [] for i in range(n)]
with open(".github/workflows/dag.yml", "w") as w:
    w.write("on: push\njobs:\n")
    for i, ns in enumerate(needs):
        w.write(f"  j{i}:\n    runs-on: ubuntu-latest\n")
        if ns: w.write("    needs: [" + ", ".join(f"j{k}" for k in ns) + "]\n")
        w.write("    steps:\n      - run: sleep 0.05\n")
with open("step.sh", "w") as step:
    step.write("sleep 0.05")
with open("Makefile", "w") as m:
    m.write("all: " + " ".join(f"j{i}" for i in range(n)) + "\n")
    for i, ns in enumerate(needs):
        m.write(f"j{i}: " + " ".join(f"j{k}" for k in ns) + "\n\t@bash -e step.sh\n")
    m.write(".PHONY: all " + " ".join(f"j{i}" for i in range(n)) + "\n")
PY
git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm x
export XDG_DATA_HOME=$work/.data CI=true
baseline() { make -s -j2; }
candidate() { "$pw" run --bind -p 2; }
read -r b p < <(best_times)
awk -v b="$b" -v p="$p" -v n="$n" -v r="${BENCH_ROUNDS:-3}" 'BEGIN {
  printf "dag: %d jobs  make -j2 %.3fs  pipewright -p 2 %.3fs  ratio %.3f (target <= 1.05; best of %d)\n", n, b, p, p / b, r }'
