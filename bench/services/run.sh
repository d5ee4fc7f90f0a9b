#!/usr/bin/env bash
# Service start benchmark (issue 5 §3): time until PostgreSQL answers pg_isready,
# ours (exec/services: template cluster copied into the job's data dir) vs. by hand
# (initdb + pg_ctl start -w, then pg_isready) in the same run; target ratio <= 0.3.
# Also the Redis ready time. Median of BENCH_SERVICES_RUNS (default 5) each.
#
# Usage: bench/services/run.sh BUILD_DIR   (needs ninja -C BUILD_DIR services_bench)
set -euo pipefail

build=${1:?usage: bench/services/run.sh BUILD_DIR}
build=$(cd "$build" && pwd)
driver=$build/bench/services_bench
runs=${BENCH_SERVICES_RUNS:-5}
[[ -x $driver ]] || { echo "bench/services: no $driver (ninja -C $build services_bench)" >&2; exit 2; }
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[[ -x $pgbin/initdb ]] || { echo "bench/services: PostgreSQL is not installed" >&2; exit 2; }

work=$(mktemp -d /tmp/pw-bench-svc.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
as_pg=()
[[ $(id -u) -eq 0 ]] && as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# By hand: what a job would do without a template.
by_hand() {
  local dir=$work/hand port=54329
  rm -rf "$dir" && mkdir -p "$dir" && chmod 755 "$dir"
  [[ ${#as_pg[@]} -gt 0 ]] && chown postgres: "$dir"
  echo bench >"$dir/pw" && [[ ${#as_pg[@]} -gt 0 ]] && chown postgres: "$dir/pw"
  local start=$(now_ms)
  "${as_pg[@]}" "$pgbin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pw" --auth-host=scram-sha-256 \
    --auth-local=trust >/dev/null
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=" start >/dev/null
  until pg_isready -q -h 127.0.0.1 -p $port; do sleep 0.01; done
  local end=$(now_ms)
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  echo $((end - start))
}

# The first start builds the template (cold); the runs after it copy it. Ours use the
# engine's default runtime dir ('' below), as a job does: a tmpfs when there is one.
cold=$("$driver" postgres "" "$work/cache")
ours=$(for ((i = 0; i < runs; i++)); do "$driver" postgres "" "$work/cache"; done | median)
hand=$(for ((i = 0; i < runs; i++)); do by_hand; done | median)
redis=$(for ((i = 0; i < runs; i++)); do "$driver" redis "" "$work/cache"; done | median)

printf 'postgres ready, ours (template copy): %8.1f ms (median of %d)\n' "$ours" "$runs"
printf 'postgres ready, initdb + pg_ctl -w:   %8.1f ms (median of %d)\n' "$hand" "$runs"
printf 'postgres ready, ours first start:     %8.1f ms (builds the template)\n' "$cold"
printf 'ratio ours / by hand: %.2f (target <= 0.30)\n' "$(echo "$ours / $hand" | bc -l)"
printf 'redis ready, ours:                    %8.1f ms (median of %d)\n' "$redis" "$runs"
