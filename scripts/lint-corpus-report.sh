#!/usr/bin/env bash
# Runs `pipewright lint` over the lint corpus (tests/lint-corpus) and compares its findings
# with the `# expect: LINE:COL SEVERITY [rule]` lines at the top of each file (written by
# tests/lint-corpus/gen.py; `# expect: nothing` marks a clean file). Prints every finding
# that was not expected (a false positive) and every expectation not found (a miss), then
# precision and recall per rule. Exit 0 when the two sets are equal, 1 otherwise, 2 on
# bad usage.
#
# Usage: scripts/lint-corpus-report.sh PIPEWRIGHT [--markdown]
#   --markdown  print the per-rule table as Markdown (for docs/lint.md) instead of text
set -euo pipefail

pw=${1:?usage: scripts/lint-corpus-report.sh PIPEWRIGHT [--markdown]}
format=${2:-text}
[[ -x $pw ]] || { echo "lint-corpus-report: $pw is not executable" >&2; exit 2; }
pw=$(cd "$(dirname "$pw")" && pwd)/$(basename "$pw")
corpus=$(cd "$(dirname "$0")/../tests/lint-corpus" && pwd)
cd "$corpus"

json=$(mktemp)
trap 'rm -f "$json"' EXIT
status=0
"$pw" lint --format json . >"$json" || status=$?
if ((status > 1)); then
  echo "lint-corpus-report: pipewright lint failed with exit $status" >&2
  exit 2
fi

python3 - "$json" "$format" <<'PY'
import glob, json, os, re, sys

EXPECT = re.compile(r"^# expect: (\d+):(\d+) (error|warning) \[([a-z-]+)\]$")

def norm(path):
    return os.path.normpath(path)

expected = set()
files = sorted(glob.glob(".github/**/*.yml", recursive=True))
for path in files:
    with open(path) as f:
        for line in f:
            if not line.startswith("#"):
                break
            m = EXPECT.match(line.rstrip("\n"))
            if m:
                expected.add((norm(path), int(m[1]), int(m[2]), m[3], m[4]))

with open(sys.argv[1]) as f:
    found = {(norm(d["file"]), d["line"], d["column"], d["severity"], d["rule"])
             for d in json.load(f)}

false_pos = sorted(found - expected)
missed = sorted(expected - found)
for f, l, c, s, r in false_pos:
    print(f"unexpected: {f}:{l}:{c} {s} [{r}]")
for f, l, c, s, r in missed:
    print(f"missed:     {f}:{l}:{c} {s} [{r}]")

rules = sorted({k[4] for k in expected | found})
rows = []
for rule in rules:
    tp = len([k for k in found & expected if k[4] == rule])
    fp = len([k for k in false_pos if k[4] == rule])
    fn = len([k for k in missed if k[4] == rule])
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    rows.append((rule, tp + fn, tp, fp, fn, precision, recall))

clean = sum(1 for p in files if all(not k[0] == norm(p) for k in expected))
if sys.argv[2] == "--markdown":
    print(f"{len(files)} files ({clean} without findings), {len(expected)} expected findings.\n")
    print("| rule | planted | found | false positives | missed | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for rule, planted, tp, fp, fn, p, r in rows:
        print(f"| {rule} | {planted} | {tp} | {fp} | {fn} | {p:.0%} | {r:.0%} |")
else:
    print(f"{'rule':22} {'planted':>7} {'found':>6} {'false+':>6} {'missed':>6} "
          f"{'precision':>9} {'recall':>7}")
    for rule, planted, tp, fp, fn, p, r in rows:
        print(f"{rule:22} {planted:7d} {tp:6d} {fp:6d} {fn:6d} {p:9.0%} {r:7.0%}")
    print(f"{len(files)} files ({clean} without findings): {len(expected)} expected, "
          f"{len(found)} found, {len(false_pos)} unexpected, {len(missed)} missed")
sys.exit(1 if false_pos or missed else 0)
PY
