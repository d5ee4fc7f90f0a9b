"""Issue 12, done-when: a signed push webhook runs its workflow, visible through the
API with its logs and live stream; a replayed delivery and a bad signature start
nothing; dispatches check their inputs with GitHub's texts; cron fires."""

import json
import os
import signal
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from serverlib import ServerTest  # noqa: E402

CI = """\
name: CI
on:
  push:
    branches: [main]
  workflow_dispatch:
    inputs:
      level:
        type: choice
        options: [info, debug]
        default: info
      dry:
        type: boolean
        default: false
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "hello from ${{ github.event_name }} at ${{ github.sha }}"
      - run: echo "level=${{ inputs.level }} dry=${{ inputs.dry }} secret=${{ secrets.TOKEN }}"
"""

NIGHTLY = """\
name: Nightly
on:
  schedule:
    - cron: '* * * * *'
jobs:
  tick:
    runs-on: ubuntu-latest
    steps:
      - run: echo "tick ${{ github.event.schedule }}"
"""


class PushTest(ServerTest):
    WORKFLOWS = {"ci.yml": CI}

    def test_push_runs_the_workflow_visible_in_api_logs_and_stream(self):
        s = self.server
        status, answer, _ = s.push_hook(self.REPO, self.repo)
        self.assertEqual(status, 202, answer)
        self.assertFalse(answer["duplicate"])
        run = self.only_run(repo=self.REPO)
        for field in ("id", "name", "event", "status", "conclusion", "head_sha", "head_branch",
                      "run_number", "run_attempt", "created_at", "run_started_at", "updated_at"):
            self.assertIn(field, run)
        self.assertEqual(run["event"], "push")
        self.assertEqual(run["head_sha"], self.repo.head())
        self.assertEqual(run["head_branch"], "main")
        done = s.wait_completed(self.admin, run["id"])
        self.assertEqual(done["conclusion"], "success", done)
        self.assertEqual(done["run_attempt"], 1)
        self.assertEqual([j["name"] for j in done["jobs"]], ["build"])
        job = done["jobs"][0]
        self.assertEqual(job["conclusion"], "success")
        self.assertGreaterEqual(len(job["steps"]), 2)
        status, logs = s.request("GET", f"/api/v1/runs/{run['id']}/jobs/{job['id']}/logs",
                                 token=self.admin)
        self.assertEqual(status, 200)
        self.assertIn(f"hello from push at {self.repo.head()}", logs)
        # The stream of a finished run replays its log; Last-Event-ID resumes after an id.
        events = self.stream(run["id"])
        lines = [json.loads(e["data"])["line"] for e in events if e["event"] == "log"]
        self.assertTrue(any("hello from push" in line for line in lines), lines)
        self.assertEqual(events[-1]["event"], "run")
        first_id = events[0]["id"]
        resumed = self.stream(run["id"], last_event_id=first_id)
        self.assertEqual(resumed[0]["id"], str(int(first_id) + 1))

    def stream(self, run_id, last_event_id=None):
        req = urllib.request.Request(f"{self.server.url}/api/v1/runs/{run_id}/logs/stream")
        req.add_header("Authorization", "Bearer " + self.admin)
        if last_event_id:
            req.add_header("Last-Event-ID", last_event_id)
        events, current = [], {}
        with urllib.request.urlopen(req, timeout=60) as resp:
            for raw in resp:
                line = raw.decode().rstrip("\n")
                if not line:
                    if current:
                        events.append(current)
                    current = {}
                    continue
                if line.startswith(":"):
                    continue
                key, _, value = line.partition(": ")
                current[key] = value
        return events

    def test_replayed_delivery_and_bad_signature_start_nothing(self):
        s = self.server
        status, answer, delivery = s.push_hook(self.REPO, self.repo)
        self.assertEqual(status, 202)
        status, answer, _ = s.push_hook(self.REPO, self.repo, delivery=delivery)
        self.assertEqual(status, 202)
        self.assertTrue(answer["duplicate"])
        status, answer, _ = s.push_hook(self.REPO, self.repo, secret="wrong")
        self.assertEqual(status, 401, answer)
        # Unsigned, and for an unknown repository: refused alike.
        status, _ = s.request("POST", "/hooks/github", raw=b"{}", headers={
            "X-GitHub-Event": "push", "X-GitHub-Delivery": "x"})
        self.assertEqual(status, 401)
        status, _, _ = s.hook("push", {"ref": "refs/heads/main", "after": "a" * 40,
                                       "repository": {"full_name": "acme/unknown"}})
        self.assertEqual(status, 401)
        run = self.only_run()
        s.wait_completed(self.admin, run["id"])
        time.sleep(1)  # a second run would have been queued by now
        self.assertEqual(len(s.runs(self.admin)), 1)

    def test_push_to_an_unfiltered_branch_and_a_deletion_start_nothing(self):
        s = self.server
        status, _, _ = s.push_hook(self.REPO, self.repo, ref="refs/heads/other")
        self.assertEqual(status, 202)
        payload = {"ref": "refs/heads/main", "before": self.repo.head(), "after": "0" * 40,
                   "deleted": True, "repository": {"full_name": self.REPO}}
        status, _, _ = s.hook("push", payload)
        self.assertEqual(status, 202)
        s.wait_for("the deliveries to settle",
                   lambda: "no workflow runs on push" in s.read_log() and "deletion" in s.read_log())
        self.assertEqual(s.runs(self.admin), [])

    def test_dispatch_checks_inputs_and_runs_with_them(self):
        s = self.server
        maintainer = s.token("maintainer")
        path = f"/api/v1/repos/{self.REPO}/dispatches"
        status, body = s.request("POST", path, {"workflow": "ci.yml", "ref": "main",
                                                "inputs": {"nope": "1"}}, token=maintainer)
        self.assertEqual(status, 422, body)
        self.assertIn("nope", body["message"])
        status, body = s.request("POST", path, {"workflow": "ci.yml", "ref": "main",
                                                "inputs": {"level": "loud"}}, token=maintainer)
        self.assertEqual(status, 422, body)
        status, body = s.request("POST", path, {"workflow": "missing.yml", "ref": "main"},
                                 token=maintainer)
        self.assertEqual(status, 404, body)
        status, body = s.request("POST", path, {"workflow": "ci.yml", "ref": "no-such-branch"},
                                 token=maintainer)
        self.assertEqual(status, 422, body)
        status, body = s.request("PUT", f"/api/v1/repos/{self.REPO}/secrets/TOKEN",
                                 {"value": "s3cr3t-value-42"}, token=self.admin)
        self.assertEqual(status, 201, body)
        status, body = s.request("POST", path, {"workflow": "ci.yml", "ref": "main",
                                                "inputs": {"level": "debug", "dry": True}},
                                 token=maintainer)
        self.assertEqual(status, 204, body)
        run = self.only_run(event="workflow_dispatch")
        done = s.wait_completed(self.admin, run["id"])
        self.assertEqual(done["conclusion"], "success")
        job = done["jobs"][0]
        _, logs = s.request("GET", f"/api/v1/runs/{run['id']}/jobs/{job['id']}/logs",
                            token=self.admin)
        self.assertIn("level=debug dry=true secret=***", logs)
        self.assertNotIn("s3cr3t-value-42", logs)
        self.assertNotIn("s3cr3t-value-42", s.read_log())


class CronTest(ServerTest):
    WORKFLOWS = {"nightly.yml": NIGHTLY}

    def test_schedule_fires_on_the_minute(self):
        s = self.server
        run = s.wait_for("the schedule to fire", lambda: s.runs(self.admin, event="schedule"),
                         timeout=150)[0]
        done = s.wait_completed(self.admin, run["id"])
        self.assertEqual(done["conclusion"], "success")
        self.assertEqual(done["head_sha"], self.repo.head())
        self.assertIn("schedule.fired", s.read_log())


if __name__ == "__main__":
    unittest.main()


BUILD = """\
name: Build
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo built
"""

AFTER_BUILD = """\
name: After build
on:
  workflow_run:
    workflows: [Build]
    types: [completed]
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - run: echo "build ${{ github.event.workflow_run.conclusion }}"
"""


class WorkflowRunTest(ServerTest):
    WORKFLOWS = {"build.yml": BUILD, "after.yml": AFTER_BUILD}

    def test_a_finished_run_triggers_workflow_run(self):
        s = self.server
        s.push_hook(self.REPO, self.repo)
        after = s.wait_for("the workflow_run run",
                           lambda: s.runs(self.admin, event="workflow_run"))[0]
        done = s.wait_completed(self.admin, after["id"])
        self.assertEqual(done["conclusion"], "success")
        _, logs = s.request("GET", f"/api/v1/runs/{after['id']}/jobs/{done['jobs'][0]['id']}/logs",
                            token=self.admin)
        self.assertIn("build success", logs)


class PollTest(ServerTest):
    WORKFLOWS = {"build.yml": BUILD}

    def test_new_commits_of_a_polled_repository_run(self):
        s = self.server
        status, body = s.request("POST", "/api/v1/repos", {
            "name": "acme/polled", "source": self.repo.path, "poll_seconds": 1}, token=self.admin)
        self.assertEqual(status, 201, body)
        # The first poll only learns the branch heads; a commit after it runs. (The
        # sleep orders the commit after that first poll; it asserts nothing.)
        time.sleep(7)
        sha = self.repo.commit({"new.txt": "1"})
        run = s.wait_for("the polled push to run",
                         lambda: s.runs(self.admin, repo="acme/polled"), timeout=120)[0]
        self.assertEqual(run["head_sha"], sha)
        self.assertEqual(run["event"], "push")
        self.assertEqual(s.wait_completed(self.admin, run["id"])["conclusion"], "success")


WAIT = """\
name: Wait
on: push
jobs:
  wait:
    runs-on: ubuntu-latest
    steps:
      - run: |
          while [ ! -e "$COUNT_DIR/release" ]; do sleep 0.1; done
          echo released
"""


class DrainTest(ServerTest):
    WORKFLOWS = {"wait.yml": WAIT}
    SERVE_ARGS = ("--grace", "120")

    def test_sigterm_lets_running_jobs_finish_and_keeps_taking_webhooks(self):
        s = self.server
        s.push_hook(self.REPO, self.repo)
        run = self.only_run()
        s.wait_for("the run to start", lambda: s.run(self.admin, run["id"])["status"] == "in_progress")
        s.proc.send_signal(signal.SIGTERM)
        s.wait_for("the drain", lambda: "drain.started" in s.read_log())
        status, body = s.request("GET", "/healthz")
        self.assertEqual(body["status"], "draining")
        # Webhooks are still stored while draining; they run after the next start.
        sha = self.repo.commit({"late.txt": "1"})
        status, _, _ = s.push_hook(self.REPO, self.repo, before=run["head_sha"], after=sha)
        self.assertEqual(status, 202)
        open(os.path.join(self.count_dir, "release"), "w").close()
        self.assertEqual(s.proc.wait(120), 0)
        s.start()
        self.assertEqual(s.wait_completed(self.admin, run["id"])["conclusion"], "success")
        late = s.wait_for("the late delivery's run",
                          lambda: [r for r in s.runs(self.admin) if r["head_sha"] == sha])[0]
        self.assertEqual(s.wait_completed(self.admin, late["id"])["conclusion"], "success")
