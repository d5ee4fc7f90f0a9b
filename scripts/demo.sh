#!/usr/bin/env bash
# A short walk-through of Pipewright on the example project (`make demo`):
# lint the example's workflows, evaluate the kind of ${{ }} expressions they
# contain (with the contexts a push to main and a pull request would give), plan
# a run, then run the example's CI natively, services and artifacts included.
#
# Usage: scripts/demo.sh PIPEWRIGHT_BINARY
# Exit status: 0 when every step worked; lint's status when it reports errors;
# 1 when an evaluation fails or gives a wrong answer or the example CI fails;
# 2 on bad usage.
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 PIPEWRIGHT_BINARY" >&2
  exit 2
fi
if [[ ! -x $1 ]]; then
  echo "demo: '$1' is not an executable (build first: make build)" >&2
  exit 2
fi
PW=$(realpath "$1")
cd "$(dirname "$0")/.."

WORKFLOWS=examples/python-service/.github/workflows
PUSH=examples/contexts/push-to-main.json
PR=examples/contexts/pull-request.json
# hashFiles() hashes files under the workspace; here that is the repository.
export GITHUB_WORKSPACE=$PWD

if [[ -t 1 && -z ${NO_COLOR:-} ]]; then
  bold=$'\e[1m' dim=$'\e[2m' cyan=$'\e[36m' red=$'\e[31m' green=$'\e[32m' reset=$'\e[0m'
else
  bold='' dim='' cyan='' red='' green='' reset=''
fi

section() { printf '\n%s== %s ==%s\n' "$bold" "$1" "$reset"; }
say() { printf '%s\n' "$*"; }
fail() {
  printf '%sdemo: %s%s\n' "$red" "$*" "$reset" >&2
  exit 1
}

# Prints arguments as a shell command a reader can copy: expressions go in double
# quotes when that needs no escaping (they use single-quoted strings themselves).
show_command() {
  local words=(pipewright) arg
  for arg in "${@:2}"; do
    if [[ $arg =~ ^[A-Za-z0-9_./=:,+@-]+$ ]]; then
      words+=("$arg")
    elif [[ $arg != *[\"\$\`\\!]* ]]; then
      words+=("\"$arg\"")
    else
      words+=("'${arg//\'/\'\\\'\'}'")
    fi
  done
  printf '%s$ %s%s\n' "$cyan" "${words[*]}" "$reset"
}

# Shows and runs `pipewright ARGS...`, leaving its output in $output (also
# printed) and its exit status in $status.
pw() {
  show_command "$PW" "$@"
  status=0
  output=$("$PW" "$@" 2>&1) || status=$?
  [[ -z $output ]] || printf '%s\n' "$output" | sed 's/^/  /'
}

# Runs `pipewright eval ...` and fails the demo unless it succeeds and prints
# EXPECTED (when one is given; surrounding double quotes are ignored).
evaluate() {
  local expected=$1
  shift
  pw eval "$@"
  ((status == 0)) || fail "eval exited with status $status"
  local got=${output#\"}
  got=${got%\"}
  if [[ -n $expected && $got != "$expected" ]]; then
    fail "expected: $expected"
  fi
}

section "Pipewright"
pw --version
((status == 0)) || fail "'$PW --version' exited with status $status"
say "Pipewright runs GitHub Actions workflows natively. The example project,"
say "examples/python-service, is a small Python service with the pipelines a team"
say "would write for it: $WORKFLOWS/ci.yml and cd.yml."

section "1. Lint the example workflows"
say "Checks both files against GitHub's workflow schema: keys, types, which"
say "contexts each expression may use, job dependencies, and more."
pw lint "$WORKFLOWS"
if ((status != 0)); then
  printf '%sdemo: lint reported problems (exit status %d)%s\n' "$red" "$status" "$reset" >&2
  exit "$status"
fi
printf '%sworkflows are clean%s\n' "$green" "$reset"

section "2. Evaluate expressions"
say "pipewright eval evaluates one expression, the way the runner would, against"
say "contexts from a JSON file. Two come with the example:"
say "  $PUSH    a push to main"
say "  $PR    pull request #42"

say ""
say "${bold}An if: condition.${reset} ci.yml keeps main's build artifacts longer; on a"
say "push to main this is true, on a pull request false:"
condition="github.event_name == 'push' && github.ref == 'refs/heads/main'"
evaluate true "$condition" --context "$PUSH"
evaluate false "$condition" --context "$PR"

say ""
say "${bold}format() and ||.${reset} The concurrency group of ci.yml: || returns the first"
say "truthy operand, so pull requests group by number and pushes by ref:"
group="format('{0}-{1}', github.workflow, github.event.pull_request.number || github.ref)"
evaluate CI-refs/heads/main "$group" --context "$PUSH"
evaluate CI-42 "$group" --context "$PR"

say ""
say "${bold}fromJSON() of a matrix.${reset} A job can compute its matrix and pass it on as"
say "a string output; fromJSON turns it back into the object strategy.matrix needs:"
evaluate "" 'fromJSON(needs.plan.outputs.matrix)' --context "$PUSH"
[[ $output == *'"python-version"'* && $output == *'"3.12"'* ]] ||
  fail "the matrix should list python-version 3.10 to 3.12"
say "With --format json the result comes with its kind, for scripts:"
evaluate "" "fromJSON(needs.plan.outputs.matrix)['python-version']" --context "$PUSH" --format json
[[ $output == *'"Array"'* && $output == *'"3.10"'* ]] ||
  fail "expected an Array holding \"3.10\""

say ""
say "${bold}hashFiles().${reset} The key of ci.yml's mypy cache changes exactly when a"
say "requirements file changes:"
pattern='examples/python-service/**/requirements*.txt'
evaluate "" "hashFiles('$pattern')"
# Cross-check with GitHub's definition: one SHA-256 over the SHA-256 digests of
# the matched files, visited depth-first with directory entries in byte order.
expected_hash=$(
  python3 - "$pattern" <<'PY'
import glob, hashlib, os, sys
matched = {os.path.normpath(p) for p in glob.glob(sys.argv[1], recursive=True)}
outer = hashlib.sha256()
def visit(directory):
    for name in sorted(os.listdir(directory), key=os.fsencode):
        path = os.path.normpath(os.path.join(directory, name))
        if os.path.isdir(path) and not os.path.islink(path):
            visit(path)
        elif path in matched and os.path.isfile(path):
            with open(path, "rb") as f:
                outer.update(hashlib.sha256(f.read()).digest())
# Only the pattern's literal leading directories can hold matches.
root = []
for part in sys.argv[1].split("/")[:-1]:
    if any(c in part for c in "*?[]"):
        break
    root.append(part)
visit(os.path.join(".", *root))
print(outer.hexdigest() if matched else "")
PY
)
[[ ${output//\"/} == "$expected_hash" ]] || fail "expected hash $expected_hash"
printf '%s(same as SHA-256 over the files'\'' SHA-256 digests: %s)%s\n' "$dim" "$expected_hash" "$reset"

section "3. Plan a run"
say "pipewright run starts the jobs a push to this branch triggers. --list shows"
say "which workflows and jobs that is (and why the others are not), -g the job graph."
pw run --list -W examples/python-service/.github/workflows
((status == 0)) || fail "run --list exited with status $status"
pw run -g -W examples/python-service/.github/workflows/ci.yml
((status == 0)) || fail "run -g exited with status $status"

section "4. Run the example CI"
say "pipewright run runs ci.yml natively: lint (black, isort, flake8, mypy), the tests"
say "against real PostgreSQL and Redis servers with coverage, bandit, the build, and a"
say "performance smoke test of the built wheel, passing artifacts between jobs."
say "This machine has Python 3.11 and no PyPI, so the run keeps the 3.11 leg of the test"
say "matrix, maps it to Debian's Python and lets pip use the local wheels only."
# A data dir of its own keeps the demo's history, caches and artifacts out of the
# user's; it is kept afterwards so the run can be looked at.
demo_data=${TMPDIR:-/tmp}/pipewright-demo
rm -rf "$demo_data"
show_command "$PW" run workflow_dispatch -W "$WORKFLOWS/ci.yml" \
  --matrix python-version:3.11 --tool python=3.11:/usr/bin/python3 \
  --env PIP_NO_INDEX=1 --env PIP_FIND_LINKS=/usr/share/python-wheels
status=0
XDG_DATA_HOME=$demo_data/data XDG_CACHE_HOME=$demo_data/cache \
  "$PW" run workflow_dispatch -W "$WORKFLOWS/ci.yml" \
  --matrix python-version:3.11 --tool python=3.11:/usr/bin/python3 \
  --env PIP_NO_INDEX=1 --env PIP_FIND_LINKS=/usr/share/python-wheels || status=$?
((status == 0)) || fail "the example CI exited with status $status"
printf '%sthe example pipeline is green%s\n' "$green" "$reset"
say "Its history, logs and artifacts stay in $demo_data, e.g.:"
say "  XDG_DATA_HOME=$demo_data/data pipewright history"
say "  XDG_DATA_HOME=$demo_data/data pipewright artifacts last"

section "Done"
say "Next: pipewright lint your own .github/workflows, and try pipewright eval with"
say "--context on a copy of $PUSH."
