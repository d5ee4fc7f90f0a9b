#!/usr/bin/env bash
# Checks contrib/systemd with systemd's own tools (there is no running systemd here, so
# the unit is not started):
#  - `systemd-analyze verify`: syntax, every key known, every value parsed, commands
#    executable. It exits 0 on unknown keys and unparsable values, so any output fails.
#    ExecStart's /usr/local/bin/pipewright is pointed at the binary under test.
#  - `systemd-analyze security --offline`: the exposure level stays at or below 4.0.
#  - `systemd-sysusers --root`: the sysusers entry creates the user with the data
#    directory as its home.
#  - the settings the drain depends on, which verify cannot judge.
# Usage: check_unit.sh SOURCE_DIR PIPEWRIGHT_BINARY WORK_DIR
set -euo pipefail
src=$1 binary=$2 work=$3
unit=$src/contrib/systemd/pipewright.service
sysusers=$src/contrib/systemd/pipewright.sysusers
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$work" && mkdir -p "$work/root/etc"
sed "s|/usr/local/bin/pipewright|$binary|" "$unit" >"$work/pipewright.service"
grep -q "^ExecStart=$binary serve " "$work/pipewright.service" ||
  fail "ExecStart does not start /usr/local/bin/pipewright serve"

out=$(systemd-analyze verify --man=no "$work/pipewright.service" 2>&1) ||
  fail "systemd-analyze verify failed: $out"
[[ -z $out ]] || fail "systemd-analyze verify reported problems:"$'\n'"$out"

systemd-analyze security --offline=true --threshold=40 --no-pager "$work/pipewright.service" \
  >"$work/security.txt" 2>&1 ||
  fail "exposure above 4.0: $(tail -1 "$work/security.txt")"

systemd-sysusers --root="$work/root" "$sysusers" >/dev/null 2>&1 || fail "systemd-sysusers failed"
grep -q '^pipewright:x:[0-9]*:[0-9]*:[^:]*:/var/lib/pipewright:/usr/sbin/nologin$' \
  "$work/root/etc/passwd" || fail "sysusers did not create pipewright with home /var/lib/pipewright"
grep -q '^pipewright:' "$work/root/etc/group" || fail "sysusers did not create the group"

# The drain: SIGTERM to the server only (mixed), never to every step at once.
expect() { grep -qx "$1" "$unit" || fail "$unit lacks '$1' ($2)"; }
expect 'KillSignal=SIGTERM' 'serve drains on SIGTERM'
expect 'KillMode=mixed' 'control-group mode would signal every step at once'
expect 'ExecReload=/bin/kill -HUP $MAINPID' 'serve reloads on SIGHUP'
expect 'User=pipewright' 'a dedicated user'
expect 'StateDirectory=pipewright' 'the data dir'
expect 'Delegate=yes' 'job cgroups under the unit'
echo "ok: verify clean, $(tail -1 "$work/security.txt" | sed 's/^→ //')"
