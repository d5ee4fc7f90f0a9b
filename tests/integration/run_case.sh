#!/usr/bin/env bash
# Runs one integration case: the real binary on a fixture folder.
#   run_case.sh PIPEWRIGHT CASE_DIR WORK_DIR
# CASE_DIR holds `cmd` (bash, run in a copy of CASE_DIR with $PW set to the
# binary), and what is expected of it: `expected.exit` (default 0),
# `expected.stdout`, `expected.stderr` (compared whole when present). A failing
# case keeps WORK_DIR (and WORK_DIR-jobs, its job workspaces) and says where it is (STYLE.md rule 15).
set -uo pipefail
pw=$1 case_dir=$2 work=$3
rm -rf "$work" "$work-jobs" && mkdir -p "$work" && cp -a "$case_dir/." "$work/"
cd "$work" || exit 1
# Job workspaces (kept ones of failing jobs included) beside the case, not in /var/tmp.
PW=$pw PIPEWRIGHT_WORK_DIR=$work-jobs bash ./cmd >actual.stdout 2>actual.stderr
code=$?
status=0
want_exit=$(cat expected.exit 2>/dev/null || echo 0)
if [ "$code" != "$want_exit" ]; then
  echo "exit code: got $code, want $want_exit"
  status=1
fi
for stream in stdout stderr; do
  [ -f "expected.$stream" ] || continue
  if ! diff -u "expected.$stream" "actual.$stream"; then
    echo "$stream differs (see above)"
    status=1
  fi
done
if [ $status -ne 0 ]; then
  echo "--- stdout"; head -c 4000 actual.stdout
  echo "--- stderr"; head -c 4000 actual.stderr
  echo "kept work dir: $work"
else
  rm -rf "$work" "$work-jobs"
fi
exit $status
