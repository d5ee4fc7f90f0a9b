#!/usr/bin/env bash
# Fuzzes every target in tests/fuzz/ with AFL++ for SECONDS each (default 60) and fails
# when any crash or hang was found, printing the reproducers.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (make fuzz FUZZ_SECONDS=...)
#
# Build: a separate build dir (build-fuzz; $FUZZ_BUILD_DIR to change it) with
# -DPW_FUZZ=ON -DPW_TESTS=OFF -DPW_BENCH=OFF, with ASan+UBSan so that memory errors
# crash (FUZZ_SANITIZE= builds without them), and without -Werror (GCC's
# -Wmaybe-uninitialized misfires under ASan at -O2; the normal build keeps -Werror).
# The compiler is afl-g++-fast (AFL++'s GCC plugin) when it works. Debian's afl++ 4.04c
# plugin refuses a GCC whose build differs from the one it was built against ("GCC and
# plugin have incompatible versions, expected GCC 12.2.0, is 12.2.0" with GCC
# 12.2.0-14+deb12u1); then the build uses g++ with
# -fsanitize-coverage=trace-pc and tests/fuzz/afl_trace_pc.cc feeds AFL++'s edge map,
# linked with AFL++'s own runtime and libAFLDriver.a. Either way afl-fuzz runs the
# libFuzzer-style harnesses in persistent mode.
#
# Run: seeds from tests/fuzz/seeds/<target>/, dictionary tests/fuzz/dicts/<target>.dict,
# work dir tests/fuzz/.work/<target>/ (wiped at the start of each run); the log of each
# run is tests/fuzz/.work/<target>.log. To keep a reproducer as a regression test, copy
# it to tests/fuzz/regressions/<target>/ (ctest fuzz.<target> replays it).
set -euo pipefail

seconds=${1:-60}
shift || true
cd "$(dirname "$0")/.."
root=$PWD
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
work=$root/tests/fuzz/.work
afl_dir=/usr/lib/afl

if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2
  exit 2
fi
for tool in afl-fuzz cmake ninja; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool not found (make deps)" >&2; exit 2; }
done

# Pick the compiler: afl-g++-fast if its plugin loads with this GCC, otherwise g++.
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
echo 'int main() { return 0; }' >"$probe_dir/probe.cc"
if command -v afl-g++-fast >/dev/null &&
   AFL_QUIET=1 afl-g++-fast "$probe_dir/probe.cc" -o "$probe_dir/probe" >"$probe_dir/log" 2>&1; then
  cxx=$(command -v afl-g++-fast)
  echo "fuzz: compiler afl-g++-fast (AFL++ GCC plugin instrumentation)"
else
  cxx=$(command -v g++)
  reason=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$probe_dir/log" | grep -m1 -E 'ABORT|error' || true)
  echo "fuzz: afl-g++-fast unusable here (${reason:-not installed}); using g++ -fsanitize-coverage=trace-pc + AFL++ runtime"
fi

mkdir -p "$work"
# Configure (afresh when the compiler changed: CMake cannot switch it in place) and build.
if [[ -f $build/CMakeCache.txt ]] && ! grep -qx "CMAKE_CXX_COMPILER:[A-Z]*=$cxx" "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
CXX=$cxx cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPW_FUZZ=ON -DPW_TESTS=OFF -DPW_BENCH=OFF -DPW_AFL_DIR="$afl_dir" -DPW_WERROR=OFF \
  -DPW_SANITIZE="${FUZZ_SANITIZE-address,undefined}" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log" >&2; exit 1; }
grep -E '^-- fuzz:' "$work/configure.log" || true

if (($# > 0)); then
  targets=("$@")
else
  targets=()
  for harness in tests/fuzz/*_fuzz.cc; do
    name=$(basename "$harness" _fuzz.cc)
    if grep -q "^-- fuzz: skipping $name " "$work/configure.log"; then
      echo "fuzz: skipping $name (its layer has no entry point yet)"
      continue
    fi
    targets+=("$name")
  done
fi
((${#targets[@]})) || { echo "fuzz: no targets to build" >&2; exit 1; }
echo "fuzz: building ${targets[*]/%/_fuzz} in ${build#"$root"/} (log: tests/fuzz/.work/build.log)"
ninja -C "$build" -j "${JOBS:-2}" "${targets[@]/%/_fuzz}" >"$work/build.log" 2>&1 ||
  { grep -E 'error|FAILED' "$work/build.log" | head -n 20 >&2; exit 1; }

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export AFL_FAST_CAL=1
failed=0
for target in "${targets[@]}"; do
  seeds=$root/tests/fuzz/seeds/$target
  out=$work/$target
  log=$work/$target.log
  [[ -d $seeds ]] || { echo "fuzz: no seeds in $seeds" >&2; exit 1; }
  rm -rf "$out"
  dict=()
  [[ -f tests/fuzz/dicts/$target.dict ]] && dict=(-x "tests/fuzz/dicts/$target.dict")
  echo "fuzz: $target for ${seconds}s (log: ${log#"$root"/})"
  if ! afl-fuzz -i "$seeds" -o "$out" -V "$seconds" -t 2000 -m none "${dict[@]}" \
       -- "$build/tests/fuzz/${target}_fuzz" >"$log" 2>&1; then
    echo "fuzz: afl-fuzz failed for $target:" >&2
    sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$log" | tail -n 15 >&2
    failed=1
    continue
  fi
  stats=$out/default/fuzzer_stats
  if [[ -f $stats ]]; then
    awk -F' *: ' -v t="$target" '
      { v[$1] = $2 }
      END { printf "fuzz: %s: %s execs (%s/s), corpus %s, edges %s, crashes %s, hangs %s\n",
            t, v["execs_done"], v["execs_per_sec"], v["corpus_count"], v["bitmap_cvg"],
            v["saved_crashes"], v["saved_hangs"] }' "$stats"
  fi
  mapfile -t found < <(find "$out/default/crashes" "$out/default/hangs" -type f -name 'id:*' 2>/dev/null | sort)
  if ((${#found[@]})); then
    failed=1
    echo "fuzz: $target: ${#found[@]} reproducer(s) (replay: $build/tests/fuzz/${target}_fuzz FILE):" >&2
    printf '  %s\n' "${found[@]}" >&2
  fi
done
if ((failed)); then
  echo "fuzz: FAILED" >&2
  exit 1
fi
echo "fuzz: ok (${targets[*]}: no crash, no hang in ${seconds}s each)"
