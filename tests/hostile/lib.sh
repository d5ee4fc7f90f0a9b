# Helpers for hostile cases (sourced by a case's `cmd`; see README.md). A case plants
# hostile input in a repository, runs pipewright on it and checks every sink with
# these functions; each check prints what it found wrong and counts it in
# $hostile_failures, and hostile_done ends the case (exit 1 when anything was wrong).
hostile_failures=0

# Makes the case folder a committed git repository with its own data dir (history,
# logs, artifacts), in CI mode (plain console lines).
hostile_repo() {
  export XDG_DATA_HOME=$PWD/.data XDG_CACHE_HOME=$PWD/.cache CI=true
  export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
  printf '.data/\n.cache/\nsinks/\n' >>.gitignore
  git init -q -b main && git add -A && git commit -qm hostile
}

# Runs `pipewright run ARGS...` twice, with the plain console (--verbose, so debug
# messages show) and with --json, and collects what every sink holds under sinks/:
#   console.txt  stdout+stderr of the plain run      json.txt  stdout+stderr of --json
#   events.json  the --json events alone              db.sql    sqlite3 dump of history.db
#   logs.txt     `pipewright logs` of both runs        history.txt  `pipewright history`
#   paths.txt    every path under the data dir (file names are shown by `ls`)
hostile_run() {
  mkdir -p sinks
  $PW run --verbose "$@" >sinks/console.txt 2>&1
  hostile_plain_exit=$?
  $PW run --json "$@" >sinks/events.json 2>sinks/json.stderr
  hostile_json_exit=$?
  cat sinks/events.json sinks/json.stderr >sinks/json.txt
  local data=$XDG_DATA_HOME/pipewright
  sqlite3 "$data/history.db" .dump >sinks/db.sql 2>&1
  : >sinks/logs.txt
  local run
  for run in $(sqlite3 "$data/history.db" 'SELECT id FROM runs ORDER BY id'); do
    $PW logs "$run" >>sinks/logs.txt 2>&1
  done
  $PW history >sinks/history.txt 2>&1
  find "$data" | sed "s|^$data|DATA|" >sinks/paths.txt
}

hostile_sinks=(console.txt json.txt db.sql logs.txt history.txt paths.txt)

# Fails for each sink that holds any of TEXT... (fixed strings), printing the lines.
hostile_absent() {
  local text sink
  for text in "$@"; do
    for sink in "${hostile_sinks[@]}"; do
      if grep -qF -- "$text" "sinks/$sink"; then
        echo "LEAK: '$text' in $sink:"
        grep -nF -- "$text" "sinks/$sink" | head -n 5 | sed 's/^/    /'
        hostile_failures=$((hostile_failures + 1))
      fi
    done
  done
}

# Fails unless sink SINK holds TEXT (a fixed string): proves the field under test
# reached the sink at all, so that an absent secret means a masked one.
hostile_present() {
  local sink=$1 text=$2
  if ! grep -qF -- "$text" "sinks/$sink"; then
    echo "MISSING: '$text' not in $sink"
    hostile_failures=$((hostile_failures + 1))
  fi
}

# Fails unless every line of sinks/events.json is a JSON object in valid UTF-8.
hostile_valid_json() {
  local bad
  bad=$(python3 - sinks/events.json <<'PY'
import json, sys
data = open(sys.argv[1], 'rb').read()
try:
    text = data.decode('utf-8')
except UnicodeDecodeError as e:
    print(f'invalid UTF-8 at byte {e.start}'); sys.exit()
for n, line in enumerate(text.splitlines(), 1):
    try:
        assert isinstance(json.loads(line), dict)
    except Exception as e:
        print(f'line {n}: {e}: {line[:200]}')
PY
)
  if [ -n "$bad" ]; then
    echo "INVALID JSON EVENTS: $bad"
    hostile_failures=$((hostile_failures + 1))
  fi
}

# Ends the case: exit 0 when every check passed.
hostile_done() {
  if [ "$hostile_failures" -ne 0 ]; then
    echo "$hostile_failures check(s) failed (the sinks are in $PWD/sinks)"
    exit 1
  fi
  echo "ok"
}
