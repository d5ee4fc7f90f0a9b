"""The WSGI application: routing, JSON in and out, error mapping.

Routes (one row each in ``_ROUTES``):
  GET  /health           database and cache connectivity, 200 or 503
  GET  /items            list, ?limit=1..100 (default 20) &offset>=0
  POST /items            create from {"name": ..., "description": ...}, 201
  GET  /items/<id>       one item, 404 when missing
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from itemservice import __version__
from itemservice.models import ValidationError, parse_new_item
from itemservice.repository import ItemRepository, RepositoryError

log = logging.getLogger(__name__)

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
HealthCheck = Callable[[], None]

MAX_BODY_BYTES = 64 * 1024
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class HttpError(Exception):
    """Ends a request with ``status`` and a JSON ``{"error": message}`` body."""

    def __init__(
        self,
        status: HTTPStatus,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class Response:
    """A JSON response."""

    status: HTTPStatus
    body: Any
    headers: Mapping[str, str] | None = None


class ItemsApp:
    """The service as a WSGI callable.

    ``checks`` maps a dependency name ("database", "cache") to a function that
    returns when the dependency answers and raises otherwise.
    """

    def __init__(
        self, repository: ItemRepository, checks: Mapping[str, HealthCheck]
    ) -> None:
        self._repository = repository
        self._checks = dict(checks)
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Response]]] = [
            ("GET", re.compile(r"/health"), self._health),
            ("GET", re.compile(r"/items"), self._list_items),
            ("POST", re.compile(r"/items"), self._create_item),
            ("GET", re.compile(r"/items/(?P<item_id>[0-9]{1,18})"), self._get_item),
        ]

    def __call__(
        self, environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes]:
        try:
            response = self._dispatch(environ)
        except HttpError as error:
            response = Response(error.status, {"error": error.message}, error.headers)
        except RepositoryError as error:
            log.error("storage failure: %s", error)
            response = Response(
                HTTPStatus.SERVICE_UNAVAILABLE, {"error": "storage unavailable"}
            )
        except Exception:
            log.exception("unhandled error")
            response = Response(
                HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal error"}
            )
        return _send(response, start_response)

    def _dispatch(self, environ: Environ) -> Response:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO", "")).rstrip("/") or "/"
        allowed: list[str] = []
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if route_method == method:
                return handler(environ, **match.groupdict())
            allowed.append(route_method)
        if allowed:
            raise HttpError(
                HTTPStatus.METHOD_NOT_ALLOWED,
                f"method {method} not allowed on {path}",
                {"Allow": ", ".join(sorted(set(allowed)))},
            )
        raise HttpError(HTTPStatus.NOT_FOUND, f"no route for {path}")

    def _health(self, environ: Environ) -> Response:
        results: dict[str, dict[str, Any]] = {}
        healthy = True
        for name, check in self._checks.items():
            started = time.perf_counter()
            try:
                check()
            except Exception as error:  # any failure of a dependency is "down"
                healthy = False
                results[name] = {"status": "fail", "error": str(error)}
            else:
                elapsed_ms = (time.perf_counter() - started) * 1000
                results[name] = {"status": "ok", "latency_ms": round(elapsed_ms, 2)}
        body = {
            "status": "ok" if healthy else "fail",
            "version": __version__,
            "checks": results,
        }
        status = HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE
        return Response(status, body, {"Cache-Control": "no-store"})

    def _list_items(self, environ: Environ) -> Response:
        query = parse_qs(str(environ.get("QUERY_STRING", "")))
        limit = _int_param(query, "limit", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        offset = _int_param(query, "offset", 0, 0, 10**9)
        items = self._repository.list_items(limit=limit, offset=offset)
        body = {
            "items": [item.to_json() for item in items],
            "limit": limit,
            "offset": offset,
        }
        return Response(HTTPStatus.OK, body)

    def _create_item(self, environ: Environ) -> Response:
        try:
            new = parse_new_item(_read_json(environ))
        except ValidationError as error:
            raise HttpError(HTTPStatus.UNPROCESSABLE_ENTITY, str(error)) from None
        item = self._repository.add(new)
        return Response(
            HTTPStatus.CREATED, item.to_json(), {"Location": f"/items/{item.id}"}
        )

    def _get_item(self, environ: Environ, item_id: str) -> Response:
        item = self._repository.get(int(item_id))
        if item is None:
            raise HttpError(HTTPStatus.NOT_FOUND, f"item {item_id} not found")
        return Response(HTTPStatus.OK, item.to_json())


def _int_param(
    query: dict[str, list[str]], name: str, default: int, low: int, high: int
) -> int:
    values = query.get(name)
    if not values:
        return default
    try:
        value = int(values[-1])
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise HttpError(
            HTTPStatus.BAD_REQUEST, f"'{name}' must be an integer in [{low}, {high}]"
        )
    return value


def _read_json(environ: Environ) -> object:
    content_type = str(environ.get("CONTENT_TYPE", ""))
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise HttpError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json"
        )
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise HttpError(HTTPStatus.BAD_REQUEST, "invalid Content-Length") from None
    if length > MAX_BODY_BYTES:
        raise HttpError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"body larger than {MAX_BODY_BYTES} bytes",
        )
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise HttpError(HTTPStatus.BAD_REQUEST, "body is not valid JSON") from None


def _send(response: Response, start_response: StartResponse) -> list[bytes]:
    payload = json.dumps(response.body).encode("utf-8")
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(payload))),
    ]
    headers.extend((response.headers or {}).items())
    start_response(f"{response.status.value} {response.status.phrase}", headers)
    return [payload]
