#!/usr/bin/env bash
# The server's benchmarks (issue 12 §7): webhook ingest against the physical limit of
# durable SQLite inserts, push-to-first-step latency, and the run list with 100,000 runs.
# Usage: bench/server/run.sh BUILD_DIR. Env: BENCH_CLIENTS (connections, default 8).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: bench/server/run.sh BUILD_DIR}" && pwd)
exec python3 "$here/bench.py" "$build/src/pipewright/cli/pipewright"
