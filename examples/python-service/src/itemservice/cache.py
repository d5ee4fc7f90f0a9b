"""A small cache interface (Redis, in-memory) and a read-through repository.

The cache is an optimisation: when it fails, reads and writes go to the
repository and the failure is logged, so a Redis outage slows the service down
but never breaks it. ``/health`` still reports it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis

from itemservice.models import Item, NewItem
from itemservice.repository import ItemRepository

log = logging.getLogger(__name__)


class CacheError(RuntimeError):
    """The cache backend failed."""


class Cache(Protocol):
    """A byte-string cache with expiry. Every method raises CacheError on failure."""

    def get(self, key: str) -> bytes | None:
        """The value stored at ``key``, or None when absent or expired."""
        ...

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Stores ``value`` at ``key`` for ``ttl_seconds``."""
        ...

    def delete(self, key: str) -> None:
        """Removes ``key``; no error when it is absent."""
        ...

    def ping(self) -> None:
        """Returns when the cache answers; raises CacheError otherwise."""
        ...


class InMemoryCache:
    """A thread-safe Cache in a dict, with an injectable clock for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires_at, value = entry
            if self._clock() >= expires_at:
                del self._entries[key]
                return None
            return value

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        with self._lock:
            self._entries[key] = (self._clock() + ttl_seconds, value)

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def ping(self) -> None:
        return None


class RedisCache:
    """A Cache on Redis (redis-py); connection errors become CacheError."""

    def __init__(self, url: str, *, timeout_seconds: float = 1.0) -> None:
        """Prepares a client for ``url``; connects lazily on first use."""
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            health_check_interval=30,
        )

    def close(self) -> None:
        """Drops pooled connections."""
        self._client.close()

    def get(self, key: str) -> bytes | None:
        try:
            value = self._client.get(key)
        except redis.RedisError as error:
            raise CacheError(f"redis GET failed: {error}") from error
        return None if value is None else bytes(value)

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        try:
            self._client.set(key, value, ex=ttl_seconds)
        except redis.RedisError as error:
            raise CacheError(f"redis SET failed: {error}") from error

    def delete(self, key: str) -> None:
        try:
            self._client.delete(key)
        except redis.RedisError as error:
            raise CacheError(f"redis DEL failed: {error}") from error

    def ping(self) -> None:
        try:
            self._client.ping()
        except redis.RedisError as error:
            raise CacheError(f"redis PING failed: {error}") from error


class CachedItemRepository:
    """An ItemRepository that serves ``get`` from a cache in front of another one.

    Only single items are cached (lists change with every insert). Items never
    change once stored, so the cache needs no invalidation beyond its TTL.
    """

    def __init__(
        self, inner: ItemRepository, cache: Cache, *, ttl_seconds: int = 60
    ) -> None:
        self._inner = inner
        self._cache = cache
        self._ttl = ttl_seconds

    @staticmethod
    def key(item_id: int) -> str:
        """The cache key of item ``item_id``."""
        return f"itemservice:item:{item_id}"

    def add(self, new: NewItem) -> Item:
        item = self._inner.add(new)
        self._store(item)
        return item

    def get(self, item_id: int) -> Item | None:
        cached = self._lookup(item_id)
        if cached is not None:
            return cached
        item = self._inner.get(item_id)
        if item is not None:
            self._store(item)
        return item

    def list_items(self, *, limit: int, offset: int) -> list[Item]:
        return self._inner.list_items(limit=limit, offset=offset)

    def ping(self) -> None:
        self._inner.ping()

    def _lookup(self, item_id: int) -> Item | None:
        try:
            raw = self._cache.get(self.key(item_id))
        except CacheError as error:
            log.warning("cache read failed, using the database: %s", error)
            return None
        if raw is None:
            return None
        try:
            return Item.from_json(json.loads(raw))
        except (ValueError, KeyError, TypeError):
            log.warning("dropping a malformed cache entry for item %d", item_id)
            self._forget(item_id)
            return None

    def _store(self, item: Item) -> None:
        try:
            payload = json.dumps(item.to_json()).encode()
            self._cache.set(self.key(item.id), payload, self._ttl)
        except CacheError as error:
            log.warning("cache write failed: %s", error)

    def _forget(self, item_id: int) -> None:
        try:
            self._cache.delete(self.key(item_id))
        except CacheError as error:
            log.warning("cache delete failed: %s", error)
