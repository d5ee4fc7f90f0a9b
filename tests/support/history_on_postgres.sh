#!/usr/bin/env bash
# `pipewright history` and `logs` with --database on the store tests' PostgreSQL
# (store.postgres.start): the first use creates the schema, a run recorded there is
# listed and its inline step log read back, and the password is never printed.
#   history_on_postgres.sh PIPEWRIGHT STATE_DIR
set -euo pipefail
pw=$1 state=$2
if [ ! -s "$state/url" ]; then
  echo "no PostgreSQL server: $(cat "$state/error" 2>/dev/null || echo "$state/url is missing")"
  exit 1
fi
server=$(cat "$state/url")
db=pw_cli_$$
psql -q "$server/postgres" -c "CREATE DATABASE $db"
export XDG_DATA_HOME=$(mktemp -d)
trap 'psql -q "$server/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; rm -rf "$XDG_DATA_HOME"' EXIT
password=${server#*://*:}
password=${password%@*}
fail() { echo "FAIL: $*"; exit 1; }

out=$("$pw" history --database "$server/$db" 2>&1)
[ "$out" = "$(printf '%-6s %-30s %-5s %-18s %-12s %s' RUN WORKFLOW '#' EVENT RESULT DURATION)" ] ||
  fail "empty history: $out"
tables=$(psql -tA "$server/$db" -c "SELECT count(*) FROM pg_tables WHERE tablename IN ('runs', 'jobs', 'steps')")
[ "$tables" = 3 ] || fail "schema not created ($tables tables)"

# A short log is stored inline: zstd frames, as the store writes them.
log_hex=$(printf 'hello from postgres\n' | zstd -q -c | od -An -tx1 | tr -d ' \n')
psql -q "$server/$db" <<SQL
INSERT INTO runs (workflow_file, workflow_name, run_number, event, ref, sha, status, result,
                  started_at, finished_at, owner_pid, owner_boot_id, owner_start)
  VALUES ('ci.yml', 'CI on PG', 1, 'push', 'refs/heads/main', 'abc', 'completed', 'success',
          1000, 3500, 1, 'boot', 0);
INSERT INTO jobs (run_id, job_id, name, status, result) VALUES (1, 'build', 'build', 'completed', 'success');
INSERT INTO steps (job_id, idx, name, outcome, conclusion, started_at, finished_at, log_ref,
                   log_bytes, log_lines, log_inline)
  VALUES (1, 0, 'Greet', 'success', 'success', 1000, 2000, 'logs/1/1/0.log.zst', 20, 1,
          '\\x$log_hex');
SQL
out=$("$pw" history --database "$server/$db" 2>&1)
echo "$out" | grep -q '^1 .*CI on PG .*1 .*push .*success .*2.5s' || fail "history: $out"
out=$("$pw" logs last --database "$server/$db" 2>&1)
[ "$out" = "$(printf '=== build / Greet (success)\nhello from postgres')" ] || fail "logs: $out"

out=$("$pw" history --database "$server/no_such_db_$$" 2>&1) && fail "a missing database was accepted"
case $out in
  *"$password"*) fail "the password was printed: $out" ;;
  *'postgres:***@'*'does not exist'*) ;;
  *) fail "missing database: $out" ;;
esac
echo "ok"
