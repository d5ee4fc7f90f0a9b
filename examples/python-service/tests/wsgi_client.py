"""A minimal in-process WSGI client for unit tests (no sockets)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any
from wsgiref.util import setup_testing_defaults

from itemservice.app import ItemsApp


@dataclass
class Result:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


def call(
    app: ItemsApp,
    method: str,
    path: str,
    *,
    query: str = "",
    json_body: Any = None,
    raw_body: bytes | None = None,
    content_type: str = "application/json",
) -> Result:
    """Calls ``app`` once and decodes its JSON response."""
    if raw_body is None:
        raw_body = b"" if json_body is None else json.dumps(json_body).encode()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(raw_body)),
        "wsgi.input": io.BytesIO(raw_body),
    }
    setup_testing_defaults(environ)
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        captured["status"] = int(status.split()[0])
        captured["headers"] = dict(headers)

    payload = b"".join(app(environ, start_response))
    assert captured["headers"]["Content-Length"] == str(len(payload))
    return Result(captured["status"], captured["headers"], json.loads(payload))
