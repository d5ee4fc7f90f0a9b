"""The real HTTP server on a free port, and the wiring from settings."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from itemservice.cache import CachedItemRepository
from itemservice.config import Settings
from itemservice.server import ThreadingWSGIServer, build_service, create_server


@pytest.fixture
def server() -> Iterator[ThreadingWSGIServer]:
    service = build_service(Settings())
    with create_server(service.app, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield server
        server.shutdown()
        thread.join(timeout=5)
    service.close()


def _url(server: ThreadingWSGIServer, path: str) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}{path}"


def test_health_over_http(server: ThreadingWSGIServer) -> None:
    with urllib.request.urlopen(_url(server, "/health"), timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        body = json.load(response)
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert "cache" not in body["checks"]


def test_create_and_fetch_over_http(server: ThreadingWSGIServer) -> None:
    request = urllib.request.Request(
        _url(server, "/items"),
        data=json.dumps({"name": "lamp"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201
        location = response.headers["Location"]
    with urllib.request.urlopen(_url(server, location), timeout=5) as response:
        assert json.load(response)["name"] == "lamp"


def test_errors_over_http(server: ThreadingWSGIServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(_url(server, "/items/12345"), timeout=5)
    assert raised.value.code == 404
    assert json.load(raised.value) == {"error": "item 12345 not found"}
    raised.value.close()


def test_redis_url_adds_a_cache_and_its_check() -> None:
    # redis-py connects lazily, so nothing is contacted here; the port is unused.
    service = build_service(Settings(redis_url="redis://127.0.0.1:1/0"))
    try:
        assert isinstance(service.app._repository, CachedItemRepository)
        assert set(service.app._checks) == {"database", "cache"}
    finally:
        service.close()
