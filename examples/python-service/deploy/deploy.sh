#!/usr/bin/env bash
# Deploys itemservice to a *local* target: a release directory per version under
# $DEPLOY_ROOT/<environment>/, a `current` symlink, and the service started from
# it on the environment's port, then health-checked. Runnable on a laptop; the
# same steps (unpack, switch, restart, check, keep the previous release for
# rollback) are what a deploy to a real host does over SSH.
#
# Usage:
#   deploy/deploy.sh deploy   ENVIRONMENT DIST_DIR   install the wheel in DIST_DIR, start it
#   deploy/deploy.sh rollback ENVIRONMENT            restart the previous release
#   deploy/deploy.sh status   ENVIRONMENT            print the release and /health
#   deploy/deploy.sh stop     ENVIRONMENT            stop the running service
#
# ENVIRONMENT is staging or production. Environment variables:
#   DEPLOY_ROOT     where releases live (default ${XDG_STATE_HOME:-~/.local/state}/itemservice)
#   DEPLOY_PORT     port to serve on (default: staging 8101, production 8102)
#   DEPLOY_TOKEN    credential for the target. The local target only requires it
#                   to be present for production; it is never printed or stored.
#   HEALTH_TIMEOUT  seconds to wait for /health to answer 200 (default 30)
#   PYTHON          interpreter with psycopg2 and redis installed (default python3)
#   DATABASE_URL, REDIS_URL, LOG_LEVEL  passed through to the service
# When GITHUB_OUTPUT is set, writes `url=` and `release=` to it.
set -euo pipefail

PYTHON=${PYTHON:-python3}
DEPLOY_ROOT=${DEPLOY_ROOT:-${XDG_STATE_HOME:-$HOME/.local/state}/itemservice}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-30}

die() {
  echo "deploy: error: $*" >&2
  exit 1
}
log() { echo "deploy: $*"; }

usage() {
  sed -n '8,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

default_port() {
  case $1 in
    staging) echo 8101 ;;
    production) echo 8102 ;;
    *) die "unknown environment '$1' (expected staging or production)" ;;
  esac
}

setup() {
  env_name=$1
  port=${DEPLOY_PORT:-$(default_port "$env_name")}
  env_dir=$DEPLOY_ROOT/$env_name
  pid_file=$env_dir/service.pid
  url=http://127.0.0.1:$port
  mkdir -p "$env_dir/releases"
}

running_pid() {
  [[ -f $pid_file ]] || return 1
  local pid
  pid=$(<"$pid_file")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

stop_service() {
  local pid
  if pid=$(running_pid); then
    log "stopping pid $pid"
    kill -TERM "$pid"
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pid_file"
}

start_service() {
  local release=$1
  log "starting $(basename "$release") on $url"
  # The service gets the app's settings, never the deploy credential.
  env -u DEPLOY_TOKEN PYTHONPATH="$release/lib${PYTHONPATH:+:$PYTHONPATH}" \
    nohup "$PYTHON" -m itemservice serve --host 127.0.0.1 --port "$port" \
    >>"$release/service.log" 2>&1 </dev/null &
  echo $! >"$pid_file"
}

wait_healthy() {
  local deadline=$((SECONDS + HEALTH_TIMEOUT)) body
  while ((SECONDS < deadline)); do
    if body=$(curl -fsS --max-time 2 "$url/health" 2>/dev/null); then
      log "healthy: $body"
      return 0
    fi
    running_pid >/dev/null || {
      log "the service exited; last log lines:"
      tail -n 20 "$env_dir/current/service.log" >&2 || true
      return 1
    }
    sleep 0.5
  done
  log "no healthy answer from $url/health within ${HEALTH_TIMEOUT}s"
  return 1
}

write_outputs() {
  [[ -n ${GITHUB_OUTPUT:-} ]] || return 0
  {
    echo "url=$url"
    echo "release=$(basename "$(readlink -f "$env_dir/current")")"
  } >>"$GITHUB_OUTPUT"
}

cmd_deploy() {
  (($# == 2)) || usage
  setup "$1"
  local dist=$2 wheel
  wheel=$(find "$dist" -maxdepth 1 -name 'itemservice-*.whl' | sort | tail -n 1)
  [[ -n $wheel ]] || die "no itemservice-*.whl in $dist (run: python -m build)"
  if [[ $env_name == production && -z ${DEPLOY_TOKEN:-} ]]; then
    die "DEPLOY_TOKEN is required for production"
  fi

  local version release
  version=$(basename "$wheel" | cut -d- -f2)
  release=$env_dir/releases/$(date -u +%Y%m%dT%H%M%SZ)-$version
  log "unpacking $(basename "$wheel") into $release"
  mkdir -p "$release/lib"
  "$PYTHON" -m zipfile -e "$wheel" "$release/lib"
  echo "$version" >"$release/VERSION"

  # Remember what ran before, then switch atomically (rename over the link).
  if [[ -L $env_dir/current ]]; then
    ln -sfn "$(readlink -f "$env_dir/current")" "$env_dir/previous"
  fi
  ln -sfn "$release" "$env_dir/current.tmp"
  mv -T "$env_dir/current.tmp" "$env_dir/current"

  stop_service
  start_service "$release"
  wait_healthy || die "$env_name: release $version failed its health check (roll back with: $0 rollback $env_name)"
  write_outputs
  log "$env_name now runs $version at $url"
}

cmd_rollback() {
  (($# == 1)) || usage
  setup "$1"
  [[ -L $env_dir/previous ]] || die "$env_name: no previous release to roll back to"
  local previous failed
  previous=$(readlink -f "$env_dir/previous")
  failed=$(readlink -f "$env_dir/current" 2>/dev/null || true)
  log "rolling back ${failed:+$(basename "$failed") }to $(basename "$previous")"
  ln -sfn "$previous" "$env_dir/current.tmp"
  mv -T "$env_dir/current.tmp" "$env_dir/current"
  rm -f "$env_dir/previous"
  stop_service
  start_service "$previous"
  wait_healthy || die "$env_name: the previous release is not healthy either"
  write_outputs
}

cmd_status() {
  (($# == 1)) || usage
  setup "$1"
  local release=none pid=stopped
  [[ -L $env_dir/current ]] && release=$(basename "$(readlink -f "$env_dir/current")")
  pid=$(running_pid) || pid=stopped
  echo "environment: $env_name"
  echo "release:     $release"
  echo "pid:         $pid"
  echo "url:         $url"
  if [[ $pid != stopped ]]; then
    printf 'health:      '
    curl -sS --max-time 2 "$url/health" || true
    echo
  fi
}

cmd_stop() {
  (($# == 1)) || usage
  setup "$1"
  stop_service
  log "$env_name stopped"
}

(($# >= 1)) || usage
command=$1
shift
case $command in
  deploy | rollback | status | stop) "cmd_$command" "$@" ;;
  -h | --help) usage ;;
  *) usage ;;
esac
