#!/usr/bin/env python3
"""Performance smoke test: GET /health N times and check the p95 latency.

Either against a running server (``--url http://127.0.0.1:8000``) or, without
``--url``, against one it starts itself (``python -m itemservice serve --port 0``,
inheriting DATABASE_URL / REDIS_URL) and stops afterwards.

A smoke test, not a benchmark: it catches "health got 10x slower" or "health
fails under sequential load", with a generous bound. Exit status: 0 within the
bound, 1 over it or on any non-200 answer, 2 when the server cannot be reached.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in (0, 1]) of non-empty ``samples``."""
    if not samples:
        raise ValueError("no samples")
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    ordered = sorted(samples)
    rank = math.ceil(fraction * len(ordered))
    return ordered[rank - 1]


def measure(url: str, requests: int, warmup: int, timeout: float) -> list[float]:
    """Latencies in milliseconds of ``requests`` GETs, after ``warmup`` unmeasured.

    Raises RuntimeError on the first answer that is not 200 with status "ok".
    """
    latencies: list[float] = []
    for index in range(warmup + requests):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=timeout) as response:  # nosec B310
            body = response.read()
            status = response.status
        elapsed_ms = (time.perf_counter() - started) * 1000
        if status != 200 or json.loads(body).get("status") != "ok":
            raise RuntimeError(f"request {index}: HTTP {status}: {body[:200]!r}")
        if index >= warmup:
            latencies.append(elapsed_ms)
    return latencies


@contextmanager
def local_server(python: str, startup_timeout: float) -> Iterator[str]:
    """Starts the service on a free port; yields its base URL; stops it."""
    src = Path(__file__).resolve().parent.parent / "src"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    env.setdefault("LOG_LEVEL", "WARNING")
    process = subprocess.Popen(  # nosec B603 - fixed argv, no shell
        [python, "-m", "itemservice", "serve", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        yield _wait_for_ready_line(process, startup_timeout)
    finally:
        code = _stop(process)
    # A server that does not shut down cleanly on SIGTERM fails the smoke test.
    if code != 0:
        raise RuntimeError(f"server exited with status {code} on SIGTERM")


def _stop(process: subprocess.Popen[str]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    if process.stdout is not None:
        process.stdout.close()
    return code


def _wait_for_ready_line(process: subprocess.Popen[str], timeout: float) -> str:
    # The service prints "... listening on http://HOST:PORT" once it accepts.
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"server exited early with status {process.wait()}")
        if " listening on " in line:
            return line.rsplit(" ", 1)[-1].strip()
    raise RuntimeError("server did not report readiness in time")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="base URL of a running server")
    parser.add_argument("-n", "--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--p95-ms", type=float, default=50.0, help="bound on p95")
    parser.add_argument("--timeout", type=float, default=5.0, help="per request, s")
    parser.add_argument("--python", default=sys.executable, help="for --url-less runs")
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")

    try:
        if args.url:
            latencies = measure(
                args.url.rstrip("/") + "/health",
                args.requests,
                args.warmup,
                args.timeout,
            )
        else:
            with local_server(args.python, startup_timeout=30) as base_url:
                print(f"perf-smoke: started {base_url}")
                latencies = measure(
                    base_url + "/health", args.requests, args.warmup, args.timeout
                )
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        print(f"perf-smoke: cannot reach the server: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(f"perf-smoke: FAIL: {error}", file=sys.stderr)
        return 1

    p50, p95, p99 = (percentile(latencies, f) for f in (0.50, 0.95, 0.99))
    print(
        f"perf-smoke: {len(latencies)} requests  p50={p50:.2f} ms  "
        f"p95={p95:.2f} ms  p99={p99:.2f} ms  max={max(latencies):.2f} ms"
    )
    if p95 > args.p95_ms:
        print(f"perf-smoke: FAIL: p95 {p95:.2f} ms > {args.p95_ms} ms", file=sys.stderr)
        return 1
    print(f"perf-smoke: OK (p95 bound {args.p95_ms} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
