"""scripts/perf_smoke.py: its statistics, and one real run end to end."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "perf_smoke.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("perf_smoke", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


perf_smoke = _load()


@pytest.mark.parametrize(
    ("fraction", "expected"), [(0.5, 50.0), (0.95, 95.0), (0.99, 99.0), (1.0, 100.0)]
)
def test_nearest_rank_percentile(fraction: float, expected: float) -> None:
    samples = [float(n) for n in range(100, 0, -1)]
    assert perf_smoke.percentile(samples, fraction) == expected


def test_percentile_of_one_sample() -> None:
    assert perf_smoke.percentile([7.0], 0.95) == 7.0


@pytest.mark.parametrize(("samples", "fraction"), [([], 0.5), ([1.0], 0.0)])
def test_percentile_rejects_bad_input(samples: list[float], fraction: float) -> None:
    with pytest.raises(ValueError):
        perf_smoke.percentile(samples, fraction)


def test_end_to_end_against_a_started_server(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    code = perf_smoke.main(
        ["-n", "30", "--warmup", "2", "--p95-ms", "1000", "--python", sys.executable]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "perf-smoke: 30 requests" in out
    assert "perf-smoke: OK" in out


def test_an_impossible_bound_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    code = perf_smoke.main(["-n", "5", "--warmup", "0", "--p95-ms", "0"])
    assert code == 1
    assert "FAIL: p95" in capsys.readouterr().err


def test_unreachable_url_is_exit_2() -> None:
    assert perf_smoke.main(["--url", "http://127.0.0.1:1", "-n", "1"]) == 2
