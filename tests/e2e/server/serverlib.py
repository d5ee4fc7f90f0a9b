"""A real `pipewright serve` for end-to-end tests: a fresh data dir, a fixture git
repository, tokens made with the CLI, signed webhooks, API calls over HTTP.

Only the standard library: the tests run on a fresh Debian machine with python3.
Waiting is bounded (wait_for) but never asserted on: speed is measured by benchmarks.
"""

import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid

PW = os.environ.get("PW", "pipewright")
WEBHOOK_SECRET = "e2e-webhook-secret"


def git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


class Repo:
    """A local git repository the server mirrors (its SOURCE)."""

    def __init__(self, root, workflows):
        self.path = os.path.join(root, "source")
        os.makedirs(os.path.join(self.path, ".github", "workflows"))
        git(self.path, "init", "-q", "-b", "main")
        self.commit(workflows, "initial")

    def commit(self, files, message="change"):
        for name, text in files.items():
            path = os.path.join(self.path, name if "/" in name else ".github/workflows/" + name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "-m", message)
        return git(self.path, "rev-parse", "HEAD")

    def head(self):
        return git(self.path, "rev-parse", "HEAD")


def postgres_database():
    """A fresh database on the test PostgreSQL server when PW_E2E_POSTGRES_URL_FILE names
    the file with its URL (the store.postgres ctest fixture); None for SQLite."""
    url_file = os.environ.get("PW_E2E_POSTGRES_URL_FILE")
    if not url_file:
        return None
    with open(url_file) as f:
        base = f.read().strip()
    name = "pw_e2e_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", base, "-q", "-c", f"CREATE DATABASE {name}"], check=True,
                   capture_output=True)
    # postgresql://user:password@host:port[/db][?params]: the same server, our database.
    m = re.match(r"^(postgres(?:ql)?://[^/?]*)(/[^?]*)?(\?.*)?$", base)
    if not m:
        raise AssertionError("unexpected PostgreSQL URL shape in " + url_file)
    return m.group(1) + "/" + name + (m.group(3) or "")


class Server:
    def __init__(self, root, extra_args=(), data_dir=None, env=None):
        self.root = root
        self.data_dir = data_dir or os.path.join(root, "data")
        self.log_path = os.path.join(root, "serve.log")
        self.extra_args = list(extra_args)
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.port = None
        # The same tests on PostgreSQL: the store and the server's tables there.
        self.database = postgres_database()
        self.db_args = ["--database", self.database] if self.database else []

    def cli(self, *args, input=None, check=True):
        result = subprocess.run([PW, *args], input=input, capture_output=True, text=True,
                                env=self.env)
        if check and result.returncode != 0:
            raise AssertionError(f"pipewright {' '.join(args)} exited {result.returncode}: "
                                 f"{result.stderr}")
        return result

    def start(self, listen="127.0.0.1:0"):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [PW, "serve", "--listen", listen, "--data-dir", self.data_dir, "-p", "2",
             *self.db_args, *self.extra_args],
            stdout=subprocess.PIPE, stderr=self.log, text=True, env=self.env)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on .*:(\d+)", line)
        if not m:
            self.proc.kill()
            raise AssertionError(f"serve did not start: {line!r}\n{self.read_log()}")
        self.port = int(m.group(1))
        return self

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=120):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, token=None, headers=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                text = resp.read().decode()
                return resp.status, (json.loads(text) if text and
                                     resp.headers.get_content_type() == "application/json" else text)
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            try:
                return e.code, json.loads(text)
            except ValueError:
                return e.code, text

    def token(self, role):
        out = self.cli("token", "create", "--role", role, "--name", f"{role}-{uuid.uuid4().hex[:6]}",
                       "--data-dir", self.data_dir, *self.db_args)
        return out.stdout.strip()

    def add_repo(self, name, repo, *args):
        self.cli("repo", "add", name, repo.path, "--webhook-secret", WEBHOOK_SECRET,
                 "--data-dir", self.data_dir, *self.db_args, *args)

    def push_hook(self, name, repo, before=None, after=None, ref="refs/heads/main",
                  delivery=None, secret=WEBHOOK_SECRET):
        after = after or repo.head()
        payload = {
            "ref": ref, "before": before or "0" * 40, "after": after,
            "created": before is None, "deleted": False, "forced": False,
            "repository": {"full_name": name, "name": name.split("/")[1],
                           "owner": {"login": name.split("/")[0]}, "default_branch": "main"},
            "head_commit": {"id": after, "message": "change"},
            "pusher": {"name": "t"}, "sender": {"login": "t"}, "commits": [],
        }
        return self.hook("push", payload, delivery=delivery, secret=secret)

    def hook(self, event, payload, delivery=None, secret=WEBHOOK_SECRET, path="/hooks/github"):
        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        delivery = delivery or str(uuid.uuid4())
        status, answer = self.request("POST", path, raw=body, headers={
            "X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": signature, "Content-Type": "application/json"})
        return status, answer, delivery

    def runs(self, token, **query):
        q = "&".join(f"{k}={v}" for k, v in query.items())
        status, body = self.request("GET", "/api/v1/runs" + ("?" + q if q else ""), token=token)
        assert status == 200, (status, body)
        return body["workflow_runs"]

    def run(self, token, run_id, attempt=None):
        path = f"/api/v1/runs/{run_id}" + (f"?attempt={attempt}" if attempt else "")
        status, body = self.request("GET", path, token=token)
        assert status == 200, (status, body)
        return body

    def wait_for(self, what, check, timeout=180):
        """Polls `check` until it returns a true value (returned); fails after `timeout`
        with the server's log: a bound, not a timing assertion."""
        deadline = time.time() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}\n--- serve log ---\n"
                                     f"{self.read_log()[-6000:]}")
            time.sleep(0.2)

    def wait_completed(self, token, run_id, attempt=None, timeout=180):
        def done():
            run = self.run(token, run_id, attempt)
            return run if run["status"] == "completed" and (
                attempt is None or run["run_attempt"] >= attempt) else None
        return self.wait_for(f"run {run_id} to complete", done, timeout)


class ServerTest(unittest.TestCase):
    """A server per test: its own temp dir, data dir and fixture repository."""

    WORKFLOWS = {}
    REPO = "acme/demo"
    SERVE_ARGS = ()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pw-serve-e2e-")
        # Outside every workspace: steps leave marks here (COUNT_DIR in their env).
        self.count_dir = os.path.join(self.tmp, "marks")
        os.makedirs(self.count_dir)
        self.repo = Repo(self.tmp, self.WORKFLOWS)
        self.server = Server(self.tmp, self.SERVE_ARGS, env={"COUNT_DIR": self.count_dir})
        self.server.add_repo(self.REPO, self.repo)
        self.admin = self.server.token("admin")
        self.server.start()

    def tearDown(self):
        if self.server.proc and self.server.proc.poll() is None:
            self.server.stop()
        if os.environ.get("PW_KEEP_E2E") is None:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def only_run(self, **query):
        runs = self.server.wait_for("a run", lambda: self.server.runs(self.admin, **query))
        self.assertEqual(len(runs), 1, runs)
        return runs[0]
