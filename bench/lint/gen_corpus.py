#!/usr/bin/env python3
"""Generates a corpus of realistic, valid GitHub Actions workflows for the lint benchmark.

Usage: gen_corpus.py [N] [DIR]   (defaults: 500 files into bench/.corpus)

DIR becomes a small repository: DIR/.github/workflows/*.yml. The shapes follow what real
repositories carry: CI with a lint/test matrix and services, releases on tags, scheduled
maintenance, callers of local reusable workflows (the callees are generated too, so every
`uses: ./.github/workflows/x.yml` resolves), deployments through environments, and
dynamic matrices from a setup job. Every file is 30-300 lines and uses many `${{ }}`
expressions. The output depends only on N (fixed seed), so runs are comparable.
"""

import os
import random
import sys

SEED = 20261123
MIN_LINES = 30
MAX_LINES = 300

PYTHONS = ["3.9", "3.10", "3.11", "3.12"]
NODES = ["18", "20", "22"]
GOS = ["1.21", "1.22"]
OSES = ["ubuntu-latest", "ubuntu-22.04", "ubuntu-24.04", "macos-latest", "windows-latest"]
BRANCHES = ["main", "master", "develop", "release/**", "feature/*"]
WORDS = ["api", "core", "web", "worker", "cli", "docs", "sdk", "auth", "billing", "search"]
LINTERS = [
    ("black", "black --check ."),
    ("isort", "isort --check-only --diff ."),
    ("flake8", "flake8 --max-line-length 100 src tests"),
    ("mypy", "mypy --strict src"),
    ("bandit", "bandit -r src -ll"),
    ("pip-audit", "pip-audit -r requirements.txt"),
]
CRONS = ["0 3 * * *", "30 2 * * 1", "15 */6 * * *", "0 0 1 * *", "45 4 * * 1-5", "0 12 * * 0"]


class Out:
    """Accumulates YAML lines with an indentation level."""

    def __init__(self):
        self.lines = []
        self.level = 0

    def put(self, text=""):
        self.lines.append(("  " * self.level + text) if text else "")

    def block(self, key):
        self.put(key)
        return Indent(self)

    def text(self):
        return "\n".join(self.lines) + "\n"


class Indent:
    def __init__(self, out):
        self.out = out

    def __enter__(self):
        self.out.level += 1

    def __exit__(self, *exc):
        self.out.level -= 1


def put_run(o, name, script_lines, step_id=None, cond=None, env=None, shell=None):
    """One `run:` step; multi-line scripts use a literal block."""
    o.put(f"- name: {name}")
    with Indent(o):
        if step_id:
            o.put(f"id: {step_id}")
        if cond:
            o.put(f"if: {cond}")
        if shell:
            o.put(f"shell: {shell}")
        if env:
            with o.block("env:"):
                for k, v in env.items():
                    o.put(f"{k}: {v}")
        if len(script_lines) == 1:
            o.put(f"run: {script_lines[0]}")
        else:
            with o.block("run: |"):
                for line in script_lines:
                    o.put(line)


def put_uses(o, name, action, with_=None, step_id=None, cond=None):
    o.put(f"- name: {name}")
    with Indent(o):
        if step_id:
            o.put(f"id: {step_id}")
        if cond:
            o.put(f"if: {cond}")
        o.put(f"uses: {action}")
        if with_:
            with o.block("with:"):
                for k, v in with_.items():
                    o.put(f"{k}: {v}")


def checkout(o, rng):
    if rng.random() < 0.4:
        put_uses(o, "Check out", "actions/checkout@v4", {"fetch-depth": rng.choice([0, 1, 2])})
    else:
        put_uses(o, "Check out", "actions/checkout@v4")


def put_on_push_pr(o, rng):
    with o.block("on:"):
        with o.block("push:"):
            with o.block("branches:"):
                for b in rng.sample(BRANCHES, rng.randint(1, 2)):
                    o.put(f"- '{b}'")
            if rng.random() < 0.5:
                with o.block("paths-ignore:"):
                    o.put("- 'docs/**'")
                    o.put("- '**.md'")
        with o.block("pull_request:"):
            with o.block("branches:"):
                o.put("- main")
        if rng.random() < 0.5:
            o.put("workflow_dispatch:")


def filler_steps(o, rng, count, prefix):
    """Ordinary build steps with expressions, to give jobs their real-world length."""
    for i in range(count):
        kind = rng.randrange(6)
        word = rng.choice(WORDS)
        if kind == 0:
            put_run(o, f"Build {word}", [
                f"echo \"Building {word} at ${{{{ github.sha }}}} on ${{{{ runner.os }}}}\"",
                f"make -C {word} build JOBS=2",
            ])
        elif kind == 1:
            put_run(o, f"Check {word} size", [
                f"du -sh {word} || true",
                "echo \"ref=${{ github.ref_name }} run=${{ github.run_number }}\"",
            ], cond="${{ github.event_name != 'schedule' }}")
        elif kind == 2:
            put_run(o, f"Record {word} metadata", [
                f"echo \"{prefix}_{word}_{i}=${{{{ format('{{0}}-{{1}}', github.run_id, github.run_attempt) }}}}\" >> \"$GITHUB_ENV\"",
            ])
        elif kind == 3:
            put_run(o, f"Generate {word} config", [
                f"mkdir -p build/{word}",
                f"cat > build/{word}/config.json <<'EOF'",
                "{\"name\": \"" + word + "\", \"debug\": false}",
                "EOF",
                f"test -s build/{word}/config.json",
            ], env={"WORKSPACE": "${{ github.workspace }}", "ACTOR": "${{ github.actor }}"})
        elif kind == 4:
            put_run(o, f"Verify {word} on main", [
                f"./scripts/verify.sh {word}",
            ], cond="${{ github.ref == 'refs/heads/main' && !contains(github.event.head_commit.message, '[skip verify]') }}")
        else:
            put_uses(o, f"Cache {word}", "actions/cache@v4", {
                "path": f"~/.cache/{word}",
                "key": f"{word}-${{{{ runner.os }}}}-${{{{ hashFiles('{word}/**/*.lock') }}}}",
                "restore-keys": f"{word}-${{{{ runner.os }}}}-",
            })


def gen_ci(rng, idx):
    o = Out()
    o.put(f"name: CI {idx}")
    put_on_push_pr(o, rng)
    with o.block("concurrency:"):
        o.put("group: ${{ github.workflow }}-${{ github.ref }}")
        o.put("cancel-in-progress: ${{ github.event_name == 'pull_request' }}")
    with o.block("permissions:"):
        o.put("contents: read")
    with o.block("env:"):
        o.put("PIP_DISABLE_PIP_VERSION_CHECK: '1'")
        o.put(f"APP_NAME: {rng.choice(WORDS)}")
    with o.block("jobs:"):
        linters = rng.sample(LINTERS, rng.randint(2, len(LINTERS)))
        with o.block("lint:"):
            o.put("runs-on: ubuntu-latest")
            o.put(f"timeout-minutes: {rng.choice([5, 10, 15])}")
            with o.block("steps:"):
                checkout(o, rng)
                put_uses(o, "Set up Python", "actions/setup-python@v5",
                         {"python-version": f"'{rng.choice(PYTHONS)}'", "cache": "pip"})
                put_run(o, "Install linters", ["pip install " + " ".join(n for n, _ in linters)])
                for name, cmd in linters:
                    put_run(o, f"Run {name}", [cmd])
        pythons = rng.sample(PYTHONS, rng.randint(2, 4))
        oses = rng.sample(OSES[:3], rng.randint(1, 2))
        services = rng.random() < 0.7
        with o.block("test:"):
            o.put("name: test (${{ matrix.os }}, py${{ matrix.python-version }})")
            o.put("needs: lint")
            o.put("runs-on: ${{ matrix.os }}")
            with o.block("strategy:"):
                o.put(f"fail-fast: {str(rng.random() < 0.5).lower()}")
                with o.block("matrix:"):
                    o.put("os: [" + ", ".join(oses) + "]")
                    o.put("python-version: [" + ", ".join(f"'{p}'" for p in pythons) + "]")
                    with o.block("include:"):
                        o.put(f"- os: {oses[0]}")
                        o.put(f"  python-version: '{pythons[0]}'")
                        o.put("  coverage: true")
                    if len(pythons) > 2:
                        with o.block("exclude:"):
                            o.put(f"- os: {oses[-1]}")
                            o.put(f"  python-version: '{pythons[-1]}'")
            with o.block("outputs:"):
                o.put("coverage: ${{ steps.cov.outputs.percent }}")
            if services:
                with o.block("services:"):
                    with o.block("postgres:"):
                        o.put("image: postgres:15")
                        with o.block("env:"):
                            o.put("POSTGRES_PASSWORD: postgres")
                            o.put("POSTGRES_DB: test_${{ matrix.python-version }}")
                        o.put("ports: ['5432:5432']")
                        o.put("options: >-")
                        o.put("  --health-cmd pg_isready --health-interval 10s")
                        o.put("  --health-timeout 5s --health-retries 5")
                    if rng.random() < 0.6:
                        with o.block("redis:"):
                            o.put("image: redis:7")
                            o.put("ports: ['6379:6379']")
                            o.put("options: --health-cmd \"redis-cli ping\" --health-interval 10s")
            with o.block("env:"):
                if services:
                    o.put("DATABASE_URL: postgresql://postgres:postgres@localhost:5432/test_${{ matrix.python-version }}")
                o.put("PYTHON_VERSION: ${{ matrix.python-version }}")
            with o.block("steps:"):
                checkout(o, rng)
                put_uses(o, "Set up Python ${{ matrix.python-version }}", "actions/setup-python@v5",
                         {"python-version": "${{ matrix.python-version }}"})
                put_uses(o, "Cache pip", "actions/cache@v4", {
                    "path": "~/.cache/pip",
                    "key": "pip-${{ runner.os }}-${{ matrix.python-version }}-${{ hashFiles('**/requirements*.txt') }}",
                }, step_id="pip-cache")
                put_run(o, "Install", ["python -m pip install -r requirements.txt -r requirements-dev.txt"],
                        cond="steps.pip-cache.outputs.cache-hit != 'true'")
                filler_steps(o, rng, rng.randint(0, 8), "TEST")
                put_run(o, "Run tests", [
                    "pytest -q --cov=src --cov-report=xml --junitxml=junit-${{ matrix.python-version }}.xml",
                ], env={"PYTEST_ADDOPTS": "${{ format('--maxfail={0}', 5) }}"})
                put_run(o, "Coverage", [
                    "pct=$(python -c \"import xml.etree.ElementTree as E; print(round(float(E.parse('coverage.xml').getroot().get('line-rate'))*100))\")",
                    "echo \"percent=$pct\" >> \"$GITHUB_OUTPUT\"",
                ], step_id="cov", cond="${{ matrix.coverage }}")
                put_uses(o, "Upload results", "actions/upload-artifact@v4", {
                    "name": "results-${{ matrix.os }}-${{ matrix.python-version }}",
                    "path": "junit-*.xml",
                    "retention-days": rng.choice([3, 7, 14]),
                }, cond="${{ always() }}")
        with o.block("report:"):
            o.put("needs: [lint, test]")
            o.put("if: ${{ always() && !cancelled() }}")
            o.put("runs-on: ubuntu-latest")
            with o.block("steps:"):
                put_run(o, "Summarize", [
                    "echo \"lint: ${{ needs.lint.result }}\" >> \"$GITHUB_STEP_SUMMARY\"",
                    "echo \"test: ${{ needs.test.result }}\" >> \"$GITHUB_STEP_SUMMARY\"",
                    "echo \"coverage: ${{ needs.test.outputs.coverage }}%\" >> \"$GITHUB_STEP_SUMMARY\"",
                ])
                put_run(o, "Fail on test failure", ["exit 1"],
                        cond="${{ contains(needs.*.result, 'failure') }}")
    return o


def gen_release(rng, idx):
    o = Out()
    o.put(f"name: Release {idx}")
    with o.block("on:"):
        with o.block("push:"):
            with o.block("tags:"):
                o.put("- 'v*.*.*'")
    with o.block("permissions:"):
        o.put("contents: write")
        o.put("packages: write")
    targets = rng.sample(["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "windows-x64"],
                         rng.randint(2, 5))
    with o.block("jobs:"):
        with o.block("version:"):
            o.put("runs-on: ubuntu-latest")
            with o.block("outputs:"):
                o.put("version: ${{ steps.v.outputs.version }}")
                o.put("prerelease: ${{ steps.v.outputs.prerelease }}")
            with o.block("steps:"):
                put_run(o, "Parse version", [
                    "version=\"${GITHUB_REF_NAME#v}\"",
                    "echo \"version=$version\" >> \"$GITHUB_OUTPUT\"",
                    "echo \"prerelease=${{ contains(github.ref_name, '-rc') }}\" >> \"$GITHUB_OUTPUT\"",
                ], step_id="v")
        with o.block("build:"):
            o.put("needs: version")
            o.put("runs-on: ${{ startsWith(matrix.target, 'windows') && 'windows-latest' || "
                  "(startsWith(matrix.target, 'darwin') && 'macos-latest' || 'ubuntu-latest') }}")
            with o.block("strategy:"):
                with o.block("matrix:"):
                    o.put("target: [" + ", ".join(targets) + "]")
            with o.block("steps:"):
                checkout(o, rng)
                put_uses(o, "Set up Go", "actions/setup-go@v5", {"go-version": f"'{rng.choice(GOS)}'"})
                filler_steps(o, rng, rng.randint(1, 6), "REL")
                put_run(o, "Build", [
                    "GOOS=$(echo ${{ matrix.target }} | cut -d- -f1)",
                    "GOARCH=$(echo ${{ matrix.target }} | cut -d- -f2 | sed s/x64/amd64/)",
                    "go build -ldflags \"-X main.version=${{ needs.version.outputs.version }}\" -o dist/app-${{ matrix.target }} ./cmd/app",
                ], shell="bash")
                put_uses(o, "Upload", "actions/upload-artifact@v4", {
                    "name": "app-${{ matrix.target }}",
                    "path": "dist/app-${{ matrix.target }}",
                })
        with o.block("publish:"):
            o.put("needs: [version, build]")
            o.put("runs-on: ubuntu-latest")
            with o.block("environment:"):
                o.put("name: release")
                o.put("url: ${{ format('https://github.com/{0}/releases/tag/{1}', github.repository, github.ref_name) }}")
            with o.block("steps:"):
                put_uses(o, "Download", "actions/download-artifact@v4", {"path": "dist"})
                put_run(o, "Checksums", ["cd dist && sha256sum */* > SHA256SUMS"])
                put_run(o, "Create release", [
                    "gh release create \"${{ github.ref_name }}\" dist/*/* dist/SHA256SUMS \\",
                    "  --title \"v${{ needs.version.outputs.version }}\" \\",
                    "  ${{ fromJSON(needs.version.outputs.prerelease) && '--prerelease' || '' }}",
                ], env={"GH_TOKEN": "${{ secrets.GITHUB_TOKEN }}"})
    return o


def gen_scheduled(rng, idx):
    o = Out()
    o.put(f"name: Nightly maintenance {idx}")
    with o.block("on:"):
        with o.block("schedule:"):
            for cron in rng.sample(CRONS, rng.randint(1, 2)):
                o.put(f"- cron: '{cron}'")
        with o.block("workflow_dispatch:"):
            with o.block("inputs:"):
                with o.block("dry-run:"):
                    o.put("description: Only report what would be deleted")
                    o.put("type: boolean")
                    o.put("default: true")
                with o.block("days:"):
                    o.put("description: Age threshold in days")
                    o.put("type: string")
                    o.put(f"default: '{rng.choice([7, 14, 30])}'")
                with o.block("target:"):
                    o.put("description: What to clean")
                    o.put("type: choice")
                    o.put("options: [caches, artifacts, all]")
                    o.put("default: all")
    with o.block("env:"):
        o.put("DRY_RUN: ${{ github.event_name == 'workflow_dispatch' && inputs.dry-run || false }}")
        o.put(f"DAYS: ${{{{ inputs.days || {rng.choice([7, 14, 30])} }}}}")
    with o.block("jobs:"):
        jobs = rng.sample(["cleanup", "audit", "backup", "stale", "report"], rng.randint(2, 4))
        for j, name in enumerate(jobs):
            with o.block(f"{name}:"):
                o.put("runs-on: ubuntu-latest")
                if j > 0:
                    o.put(f"needs: {jobs[0]}")
                    o.put(f"if: ${{{{ always() && needs.{jobs[0]}.result != 'cancelled' }}}}")
                if j == 0:
                    with o.block("outputs:"):
                        o.put("count: ${{ steps.work.outputs.count }}")
                with o.block("steps:"):
                    checkout(o, rng)
                    filler_steps(o, rng, rng.randint(1, 7), name.upper())
                    put_run(o, f"Run {name}", [
                        f"count=$(./scripts/{name}.sh --days \"$DAYS\" --target \"${{{{ inputs.target || 'all' }}}}\" | wc -l)",
                        "echo \"count=$count\" >> \"$GITHUB_OUTPUT\"",
                    ], step_id="work", env={"GH_TOKEN": "${{ secrets.GITHUB_TOKEN }}"})
                    if j > 0:
                        put_run(o, "Notify", [
                            f"echo \"{jobs[0]} handled ${{{{ needs.{jobs[0]}.outputs.count }}}} items\"",
                        ], cond=f"${{{{ needs.{jobs[0]}.outputs.count != '0' && !inputs.dry-run }}}}")
    return o


def reusable_spec(rng, k):
    """The interface of reusable workflow number k: its inputs and outputs."""
    inputs = [("environment", "string", True), ("version", "string", False)]
    if rng.random() < 0.5:
        inputs.append(("run-tests", "boolean", False))
    if rng.random() < 0.5:
        inputs.append(("replicas", "number", False))
    return {"file": f"reusable-{k}.yml", "inputs": inputs, "outputs": ["artifact", "digest"]}


def gen_reusable(rng, spec):
    o = Out()
    o.put(f"name: Reusable {spec['file'][:-4]}")
    with o.block("on:"):
        with o.block("workflow_call:"):
            with o.block("inputs:"):
                for name, typ, required in spec["inputs"]:
                    with o.block(f"{name}:"):
                        o.put(f"type: {typ}")
                        o.put(f"required: {str(required).lower()}")
                        if not required:
                            o.put("default: " + {"string": "latest", "boolean": "true", "number": "2"}[typ])
            with o.block("secrets:"):
                with o.block("registry-token:"):
                    o.put("required: false")
            with o.block("outputs:"):
                for out in spec["outputs"]:
                    with o.block(f"{out}:"):
                        o.put(f"description: The {out} of the build")
                        o.put(f"value: ${{{{ jobs.build.outputs.{out} }}}}")
    with o.block("jobs:"):
        with o.block("build:"):
            o.put("runs-on: ubuntu-latest")
            o.put("environment: ${{ inputs.environment }}")
            with o.block("outputs:"):
                for out in spec["outputs"]:
                    o.put(f"{out}: ${{{{ steps.meta.outputs.{out} }}}}")
            with o.block("steps:"):
                checkout(o, rng)
                filler_steps(o, rng, rng.randint(2, 8), "REUSE")
                put_run(o, "Metadata", [
                    "echo \"artifact=app-${{ inputs.version }}\" >> \"$GITHUB_OUTPUT\"",
                    "echo \"digest=${{ hashFiles('**/go.sum', '**/package-lock.json') }}\" >> \"$GITHUB_OUTPUT\"",
                ], step_id="meta")
                put_run(o, "Push", ["./scripts/push.sh \"${{ steps.meta.outputs.artifact }}\""],
                        env={"TOKEN": "${{ secrets.registry-token }}"},
                        cond="${{ inputs.environment != 'dev' }}")
    return o


def gen_caller(rng, idx, specs):
    o = Out()
    o.put(f"name: Pipeline {idx}")
    put_on_push_pr(o, rng)
    with o.block("jobs:"):
        with o.block("test:"):
            o.put("runs-on: ubuntu-latest")
            with o.block("steps:"):
                checkout(o, rng)
                put_uses(o, "Set up Node", "actions/setup-node@v4",
                         {"node-version": rng.choice(NODES), "cache": "npm"})
                put_run(o, "Install", ["npm ci"])
                filler_steps(o, rng, rng.randint(0, 6), "CALLER")
                put_run(o, "Test", ["npm test -- --ci"])
        calls = rng.sample(specs, min(len(specs), rng.randint(1, 3)))
        for c, spec in enumerate(calls):
            job = f"call-{c}"
            with o.block(f"{job}:"):
                o.put("needs: test")
                o.put(f"uses: ./.github/workflows/{spec['file']}")
                with o.block("with:"):
                    for name, typ, required in spec["inputs"]:
                        if not required and rng.random() < 0.5:
                            continue
                        value = {
                            "environment": "${{ github.ref == 'refs/heads/main' && 'production' || 'staging' }}",
                            "version": "${{ github.sha }}",
                            "run-tests": "${{ github.event_name == 'pull_request' }}",
                            "replicas": str(rng.randint(1, 5)),
                        }[name]
                        o.put(f"{name}: {value}")
                o.put("secrets: inherit")
        with o.block("summary:"):
            o.put("needs: [" + ", ".join(f"call-{c}" for c in range(len(calls))) + "]")
            o.put("runs-on: ubuntu-latest")
            with o.block("steps:"):
                for c in range(len(calls)):
                    put_run(o, f"Show call-{c}", [
                        f"echo \"artifact: ${{{{ needs.call-{c}.outputs.artifact }}}}\"",
                        f"echo \"digest: ${{{{ needs.call-{c}.outputs.digest }}}}\"",
                    ])
    return o


def gen_deploy(rng, idx):
    o = Out()
    o.put(f"name: Deploy {idx}")
    with o.block("on:"):
        with o.block("push:"):
            with o.block("branches: [main]"):
                pass
        with o.block("workflow_dispatch:"):
            with o.block("inputs:"):
                with o.block("ref:"):
                    o.put("description: Git ref to deploy")
                    o.put("required: false")
                    o.put("default: main")
    with o.block("concurrency:"):
        o.put("group: deploy-${{ github.ref }}")
        o.put("cancel-in-progress: false")
    with o.block("jobs:"):
        with o.block("build:"):
            o.put("runs-on: ubuntu-latest")
            with o.block("outputs:"):
                o.put("image: ${{ steps.image.outputs.ref }}")
            with o.block("steps:"):
                put_uses(o, "Check out", "actions/checkout@v4", {"ref": "${{ inputs.ref || github.sha }}"})
                filler_steps(o, rng, rng.randint(1, 6), "DEPLOY")
                put_run(o, "Build image", [
                    "ref=ghcr.io/${{ github.repository }}:${{ github.sha }}",
                    "docker build -t \"$ref\" .",
                    "echo \"ref=$ref\" >> \"$GITHUB_OUTPUT\"",
                ], step_id="image")
        stages = ["staging", "production"] if rng.random() < 0.6 else ["dev", "staging", "production"]
        prev = "build"
        for stage in stages:
            with o.block(f"deploy-{stage}:"):
                o.put(f"needs: [build{'' if prev == 'build' else ', ' + prev}]")
                if stage == "production":
                    o.put("if: ${{ github.ref == 'refs/heads/main' }}")
                o.put("runs-on: ubuntu-latest")
                with o.block("environment:"):
                    o.put(f"name: {stage}")
                    o.put("url: ${{ steps.rollout.outputs.url }}")
                o.put(f"timeout-minutes: {rng.choice([10, 20, 30])}")
                with o.block("steps:"):
                    put_run(o, "Roll out", [
                        f"./deploy.sh --env {stage} --image \"${{{{ needs.build.outputs.image }}}}\"",
                        f"echo \"url=https://{stage}.example.com\" >> \"$GITHUB_OUTPUT\"",
                    ], step_id="rollout", env={"KUBE_CONFIG": f"${{{{ secrets.KUBE_CONFIG_{stage.upper()} }}}}"})
                    put_run(o, "Smoke test", [
                        "for i in $(seq 1 10); do",
                        "  curl -fsS \"${{ steps.rollout.outputs.url }}/healthz\" && exit 0",
                        "  sleep 5",
                        "done",
                        "exit 1",
                    ])
                    put_run(o, "Roll back", [
                        f"./deploy.sh --env {stage} --rollback",
                    ], cond="${{ failure() }}")
            prev = f"deploy-{stage}"
    return o


def gen_dynamic(rng, idx):
    o = Out()
    o.put(f"name: Packages {idx}")
    put_on_push_pr(o, rng)
    pkgs = rng.sample(WORDS, rng.randint(2, 6))
    with o.block("jobs:"):
        with o.block("setup:"):
            o.put("runs-on: ubuntu-latest")
            with o.block("outputs:"):
                o.put("matrix: ${{ steps.list.outputs.matrix }}")
                o.put("any: ${{ steps.list.outputs.any }}")
            with o.block("steps:"):
                checkout(o, rng)
                put_run(o, "List packages", [
                    "echo 'matrix={\"package\": [" + ", ".join(f"\"{p}\"" for p in pkgs) + "]}' >> \"$GITHUB_OUTPUT\"",
                    "echo \"any=true\" >> \"$GITHUB_OUTPUT\"",
                ], step_id="list")
        with o.block("package:"):
            o.put("needs: setup")
            o.put("if: ${{ needs.setup.outputs.any == 'true' }}")
            o.put("runs-on: ubuntu-latest")
            with o.block("strategy:"):
                o.put("matrix: ${{ fromJSON(needs.setup.outputs.matrix) }}")
                o.put(f"max-parallel: {rng.randint(2, 4)}")
            with o.block("steps:"):
                checkout(o, rng)
                put_uses(o, "Set up Node", "actions/setup-node@v4", {"node-version": rng.choice(NODES)})
                filler_steps(o, rng, rng.randint(1, 8), "PKG")
                put_run(o, "Test package", [
                    "npm --prefix packages/${{ matrix.package }} ci",
                    "npm --prefix packages/${{ matrix.package }} test",
                ])
                put_run(o, "Matrix info", [
                    "echo '${{ toJSON(matrix) }}'",
                    "echo \"${{ join(fromJSON(needs.setup.outputs.matrix).package, ', ') }}\"",
                ])
    return o


GENERATORS = [gen_ci, gen_release, gen_scheduled, gen_caller, gen_deploy, gen_dynamic]
WEIGHTS = [30, 10, 12, 15, 15, 12]
KIND_NAMES = {g: g.__name__[4:] for g in GENERATORS}


def generate(n, out_dir):
    rng = random.Random(SEED)
    wf_dir = os.path.join(out_dir, ".github", "workflows")
    os.makedirs(wf_dir, exist_ok=True)
    for name in os.listdir(wf_dir):
        if name.endswith(".yml"):
            os.remove(os.path.join(wf_dir, name))
    n_reusable = max(1, n // 40) if n >= 2 else 0
    specs = [reusable_spec(rng, k) for k in range(n_reusable)]
    written = []
    for spec in specs:
        written.append((spec["file"], bounded(lambda r: gen_reusable(r, spec), rng)))
    for i in range(n - n_reusable):
        gen = rng.choices(GENERATORS, WEIGHTS)[0]
        if gen is gen_caller and not specs:
            gen = gen_ci
        if gen is gen_caller:
            make = lambda r, g=gen, i=i: g(r, i, specs)  # noqa: E731
        else:
            make = lambda r, g=gen, i=i: g(r, i)  # noqa: E731
        written.append((f"{i:04d}-{KIND_NAMES[gen]}.yml", bounded(make, rng)))
    for name, text in written:
        with open(os.path.join(wf_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
    return [os.path.join(wf_dir, name) for name, _ in written]


def bounded(make, rng):
    """Generates until the file is within MIN_LINES..MAX_LINES (the shapes almost always are)."""
    for _ in range(50):
        text = make(random.Random(rng.getrandbits(64))).text()
        if MIN_LINES <= text.count("\n") <= MAX_LINES:
            return text
    raise RuntimeError("could not generate a workflow within the line bounds")


def main(argv):
    n = int(argv[1]) if len(argv) > 1 else 500
    out_dir = argv[2] if len(argv) > 2 else os.path.join(os.path.dirname(__file__), "..", ".corpus")
    files = generate(n, out_dir)
    lines = sum(open(f, encoding="utf-8").read().count("\n") for f in files)
    print(f"gen_corpus: {len(files)} workflows, {lines} lines in {os.path.join(out_dir, '.github', 'workflows')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
