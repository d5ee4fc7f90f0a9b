"""Server benchmarks (issue 12 §7), each printed with its baseline and ratio:

1. Webhook ingest: signed deliveries from concurrent clients (wrk) to `pipewright serve`;
   durable deliveries/s and p50/p99 acknowledgement latency, against the same number of
   durable SQLite inserts (WAL, synchronous=FULL, one transaction each) done by a plain
   loop: the physical limit. Target: ratio >= 0.5.
2. Trigger latency: a push webhook to the first step's process started, on an idle
   server. Target: p99 <= 50 ms.
3. GET /api/v1/runs with 100,000 runs stored. Target: p99 <= 20 ms.
"""

import hashlib
import hmac
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "e2e", "server"))
import serverlib  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def sqlite_limit(tmp, count, body):
    db = sqlite3.connect(os.path.join(tmp, "limit.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE d (id INTEGER PRIMARY KEY, k TEXT UNIQUE, body BLOB)")
    start = time.perf_counter()
    for i in range(count):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO d (k, body) VALUES (?, ?)", (f"k{i}", body))
        db.execute("COMMIT")
    return count / (time.perf_counter() - start)


NOTHING = """\
on:
  push:
    branches: [never]
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - run: true
"""

FIRST_STEP = """\
on: push
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - run: date +%s.%N > "$COUNT_DIR/started-$GITHUB_RUN_ID"
"""


def start(tmp, workflows, env=None):
    repo = serverlib.Repo(tmp, workflows)
    server = serverlib.Server(tmp, env=env or {})
    server.add_repo("bench/repo", repo)
    token = server.token("admin")
    server.start()
    return repo, server, token


WRK_SCRIPT = """
local n = 0
local id = 0
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
end
local body, signature
function init(args)
  body = args[1]
  signature = args[2]
end
-- wrk.format takes the whole header table: every header goes in each request.
function request()
  n = n + 1
  return wrk.format("POST", "/hooks/github", {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "push",
    ["X-Hub-Signature-256"] = signature,
    ["X-GitHub-Delivery"] = "bench-" .. id .. "-" .. n,
  }, body)
end
"""


def ingest(pw_tmp):
    """wrk (C, keep-alive) sends the deliveries, so the client is never the bottleneck;
    each request has its own delivery id and the same signed body."""
    repo, server, token = start(pw_tmp, {"ci.yml": NOTHING})
    payload = json.dumps({"ref": "refs/heads/main", "before": "0" * 40, "after": repo.head(),
                          "repository": {"full_name": "bench/repo"}, "padding": "x" * 1200})
    signature = "sha256=" + hmac.new(serverlib.WEBHOOK_SECRET.encode(), payload.encode(),
                                     hashlib.sha256).hexdigest()
    script = os.path.join(pw_tmp, "ingest.lua")
    with open(script, "w") as f:
        f.write(WRK_SCRIPT)
    out = subprocess.run(["wrk", "-t2", f"-c{CLIENTS}", "-d5s", "--latency", "-s", script,
                          server.url, "--", payload, signature],
                         capture_output=True, text=True, check=True).stdout
    server.stop()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    limit = sqlite_limit(pw_tmp, min(total, 3000), payload.encode())
    print(f"webhook ingest: {rate:.0f} durable deliveries/s ({CLIENTS} connections, {total} "
          f"deliveries, {bad.group(1) if bad else 0} refused), ack p50 {p50} p99 {p99}; "
          f"durable SQLite inserts (plain loop) {limit:.0f}/s; ratio {rate / limit:.2f} "
          f"(target >= 0.5)")


def trigger_latency(pw_tmp, rounds=30):
    marks = os.path.join(pw_tmp, "marks")
    os.makedirs(marks)
    repo, server, token = start(pw_tmp, {"ci.yml": FIRST_STEP}, env={"COUNT_DIR": marks})
    latencies = []
    for _ in range(rounds):
        before = set(os.listdir(marks))
        sent = time.time()
        status, _, _ = server.push_hook("bench/repo", repo)
        assert status == 202
        path = server.wait_for("the first step", lambda: (set(os.listdir(marks)) - before) or None)
        name = next(iter(path))
        full = os.path.join(marks, name)
        server.wait_for("the mark", lambda: os.path.getsize(full) > 0)
        with open(full) as f:
            latencies.append(float(f.read()) - sent)
        # Idle server: the run ends before the next push.
        run_id = name.split("-")[1]
        server.wait_completed(token, run_id)
    server.stop()
    print(f"trigger latency (push webhook -> first step started, idle server, {rounds} runs): "
          f"p50 {pct(latencies, 50) * 1000:.1f} ms p99 {pct(latencies, 99) * 1000:.1f} ms "
          f"(target p99 <= 50 ms; hosted CI takes seconds)")


def list_runs(pw_tmp, count=100_000, requests=300):
    repo, server, token = start(pw_tmp, {"ci.yml": NOTHING})
    server.stop()
    db = sqlite3.connect(os.path.join(server.data_dir, "history.db"), isolation_level=None)
    now = int(time.time() * 1000)
    db.execute("BEGIN")
    for i in range(count):
        db.execute(
            "INSERT INTO runs (repo, workflow_file, workflow_name, run_number, event, ref, "
            "head_branch, sha, status, result, created_at, started_at, updated_at, finished_at, "
            "owner_pid, owner_boot_id, owner_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'completed', "
            "?, ?, ?, ?, ?, 0, '', 0)",
            (f"bench/r{i % 10}", ".github/workflows/ci.yml", "CI", i + 1,
             "push" if i % 3 else "pull_request", "refs/heads/main", "main" if i % 2 else "dev",
             uuid.uuid4().hex + "00000000", "success" if i % 5 else "failure",
             now - i, now - i, now - i, now - i))
    db.execute("COMMIT")
    db.close()
    server.start()
    queries = ["", "?repo=bench/r3", "?repo=bench/r3&branch=dev", "?status=failure",
               "?repo=bench/r7&event=pull_request&page=50", "?per_page=100&page=3"]
    latencies = []
    for i in range(requests):
        t0 = time.perf_counter()
        status, body = server.request("GET", "/api/v1/runs" + queries[i % len(queries)], token=token)
        latencies.append(time.perf_counter() - t0)
        assert status == 200, body
    server.stop()
    print(f"GET /api/v1/runs with {count} runs stored ({requests} requests over "
          f"{len(queries)} filters): p50 {pct(latencies, 50) * 1000:.1f} ms p99 "
          f"{pct(latencies, 99) * 1000:.1f} ms (target p99 <= 20 ms)")


def main():
    serverlib.PW = sys.argv[1]
    for bench in (ingest, trigger_latency, list_runs):
        with tempfile.TemporaryDirectory(prefix="pw-bench-server-") as tmp:
            bench(tmp)


if __name__ == "__main__":
    main()
