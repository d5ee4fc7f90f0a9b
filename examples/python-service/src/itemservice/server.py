"""Wiring (settings -> repository, cache, app) and the threaded HTTP server."""

from __future__ import annotations

import logging
import signal
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from itemservice.app import HealthCheck, ItemsApp
from itemservice.cache import CachedItemRepository, RedisCache
from itemservice.config import Settings
from itemservice.repository import InMemoryItemRepository, ItemRepository

log = logging.getLogger(__name__)


@dataclass
class Service:
    """The assembled application and the resources to release at shutdown."""

    app: ItemsApp
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Releases pools and clients, newest first."""
        for close in reversed(self.closers):
            close()
        self.closers.clear()


def build_service(settings: Settings) -> Service:
    """Builds the app for ``settings``.

    PostgreSQL when DATABASE_URL is set (schema migrated), else in memory; a Redis
    read-through cache when REDIS_URL is set. Raises RepositoryError when the
    database is configured but unreachable.
    """
    closers: list[Callable[[], None]] = []
    checks: dict[str, HealthCheck] = {}
    repository: ItemRepository
    if settings.database_url:
        from itemservice.postgres import PostgresItemRepository

        postgres = PostgresItemRepository(settings.database_url)
        closers.append(postgres.close)
        postgres.migrate()
        repository = postgres
    else:
        log.warning("DATABASE_URL is not set: items are kept in memory only")
        repository = InMemoryItemRepository()
    checks["database"] = repository.ping

    if settings.redis_url:
        cache = RedisCache(settings.redis_url)
        closers.append(cache.close)
        checks["cache"] = cache.ping
        repository = CachedItemRepository(
            repository, cache, ttl_seconds=settings.cache_ttl_seconds
        )
    else:
        log.warning("REDIS_URL is not set: running without a cache")
    return Service(app=ItemsApp(repository, checks), closers=closers)


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread per connection."""

    daemon_threads = True
    allow_reuse_address = True


class QuietRequestHandler(WSGIRequestHandler):
    """Access log lines go to ``logging`` at DEBUG instead of stderr."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)


def create_server(app: ItemsApp, host: str, port: int) -> ThreadingWSGIServer:
    """Binds ``host:port`` (port 0 picks a free one); raises OSError on failure."""
    server = ThreadingWSGIServer((host, port), QuietRequestHandler)
    server.set_app(app)
    return server


def serve(settings: Settings, ready: Callable[[str], None] = print) -> None:
    """Runs the service until SIGINT/SIGTERM, then shuts down cleanly.

    Calls ``ready`` with the base URL once the socket listens.
    """
    service = build_service(settings)
    try:
        with create_server(service.app, settings.host, settings.port) as server:
            host, port = server.server_address[:2]
            _stop_on_signals(server)
            ready(f"itemservice {_version()} listening on http://{host!s}:{port}")
            server.serve_forever(poll_interval=0.2)
    finally:
        service.close()
    log.info("stopped")


def _stop_on_signals(server: socketserver.BaseServer) -> None:
    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("received %s, shutting down", signal.Signals(signum).name)
        # shutdown() waits for serve_forever(), which runs in this thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def _version() -> str:
    from itemservice import __version__

    return __version__
