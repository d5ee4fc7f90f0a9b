from __future__ import annotations

import pytest

from itemservice import __version__
from itemservice.app import MAX_BODY_BYTES, ItemsApp
from itemservice.models import Item, NewItem
from itemservice.repository import InMemoryItemRepository, RepositoryError
from tests.wsgi_client import call


class DownRepository(InMemoryItemRepository):
    def _fail(self) -> None:
        raise RepositoryError("connection refused")

    def add(self, new: NewItem) -> Item:
        self._fail()
        raise AssertionError("unreachable")

    def ping(self) -> None:
        self._fail()


def test_health_reports_every_check(app: ItemsApp) -> None:
    result = call(app, "GET", "/health")
    assert result.status == 200
    assert result.body["status"] == "ok"
    assert result.body["version"] == __version__
    assert result.body["checks"]["database"]["status"] == "ok"
    assert result.headers["Cache-Control"] == "no-store"


def test_health_is_503_when_a_dependency_is_down() -> None:
    repository = InMemoryItemRepository()

    def cache_down() -> None:
        raise ConnectionError("redis: connection refused")

    app = ItemsApp(repository, {"database": repository.ping, "cache": cache_down})
    result = call(app, "GET", "/health")
    assert result.status == 503
    assert result.body["status"] == "fail"
    assert result.body["checks"]["database"]["status"] == "ok"
    assert result.body["checks"]["cache"] == {
        "status": "fail",
        "error": "redis: connection refused",
    }


def test_create_then_get_then_list(app: ItemsApp) -> None:
    created = call(
        app, "POST", "/items", json_body={"name": "lamp", "description": "brass"}
    )
    assert created.status == 201
    assert created.headers["Location"] == f"/items/{created.body['id']}"
    assert created.body["name"] == "lamp"

    fetched = call(app, "GET", created.headers["Location"])
    assert fetched.status == 200
    assert fetched.body == created.body

    listed = call(app, "GET", "/items/")
    assert listed.status == 200
    assert listed.body == {"items": [created.body], "limit": 20, "offset": 0}


def test_list_pagination(app: ItemsApp, repository: InMemoryItemRepository) -> None:
    for name in ("a", "b", "c"):
        repository.add(NewItem(name))
    result = call(app, "GET", "/items", query="limit=1&offset=2")
    assert result.status == 200
    assert [item["name"] for item in result.body["items"]] == ["c"]
    assert (result.body["limit"], result.body["offset"]) == (1, 2)


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=ten", "offset=-1"])
def test_list_rejects_bad_paging(app: ItemsApp, query: str) -> None:
    result = call(app, "GET", "/items", query=query)
    assert result.status == 400
    assert "must be an integer in" in result.body["error"]


def test_get_missing_item_is_404(app: ItemsApp) -> None:
    result = call(app, "GET", "/items/99")
    assert result.status == 404
    assert result.body == {"error": "item 99 not found"}


@pytest.mark.parametrize("path", ["/", "/nope", "/items/abc", "/items/1/extra"])
def test_unknown_paths_are_404(app: ItemsApp, path: str) -> None:
    assert call(app, "GET", path).status == 404


def test_wrong_method_is_405_with_allow(app: ItemsApp) -> None:
    result = call(app, "DELETE", "/items")
    assert result.status == 405
    assert result.headers["Allow"] == "GET, POST"


def test_create_validation_error_is_422(app: ItemsApp) -> None:
    result = call(app, "POST", "/items", json_body={"name": ""})
    assert result.status == 422
    assert "'name' is required" in result.body["error"]


def test_create_rejects_invalid_json(app: ItemsApp) -> None:
    result = call(app, "POST", "/items", raw_body=b'{"name": ')
    assert result.status == 400
    assert result.body == {"error": "body is not valid JSON"}


def test_create_requires_json_content_type(app: ItemsApp) -> None:
    result = call(
        app, "POST", "/items", raw_body=b"name=lamp", content_type="text/plain"
    )
    assert result.status == 415


def test_create_accepts_a_charset_parameter(app: ItemsApp) -> None:
    result = call(
        app,
        "POST",
        "/items",
        json_body={"name": "lamp"},
        content_type="application/json; charset=utf-8",
    )
    assert result.status == 201


def test_create_rejects_oversized_bodies(app: ItemsApp) -> None:
    body = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'
    result = call(app, "POST", "/items", raw_body=body)
    assert result.status == 413


def test_storage_failure_is_503_without_details() -> None:
    repository = DownRepository()
    app = ItemsApp(repository, {"database": repository.ping})
    result = call(app, "POST", "/items", json_body={"name": "lamp"})
    assert result.status == 503
    assert result.body == {"error": "storage unavailable"}


def test_unexpected_errors_are_500(caplog: pytest.LogCaptureFixture) -> None:
    class Exploding(InMemoryItemRepository):
        def list_items(self, *, limit: int, offset: int) -> list[Item]:
            raise ZeroDivisionError("bug")

    app = ItemsApp(Exploding(), {})
    result = call(app, "GET", "/items")
    assert result.status == 500
    assert result.body == {"error": "internal error"}
    assert "unhandled error" in caplog.text
