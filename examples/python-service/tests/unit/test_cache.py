from __future__ import annotations

import json
import logging

import pytest

from itemservice.cache import CachedItemRepository, CacheError, InMemoryCache
from itemservice.models import Item, NewItem
from itemservice.repository import InMemoryItemRepository


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class BrokenCache:
    """A cache whose backend is down."""

    def get(self, key: str) -> bytes | None:
        raise CacheError("connection refused")

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        raise CacheError("connection refused")

    def delete(self, key: str) -> None:
        raise CacheError("connection refused")

    def ping(self) -> None:
        raise CacheError("connection refused")


class CountingRepository(InMemoryItemRepository):
    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    def get(self, item_id: int) -> Item | None:
        self.gets += 1
        return super().get(item_id)


def test_in_memory_cache_expires_entries() -> None:
    clock = FakeClock()
    cache = InMemoryCache(clock=clock)
    cache.set("k", b"v", ttl_seconds=10)
    clock.now += 9.9
    assert cache.get("k") == b"v"
    clock.now += 0.1
    assert cache.get("k") is None


def test_in_memory_cache_delete_is_idempotent() -> None:
    cache = InMemoryCache()
    cache.set("k", b"v", ttl_seconds=10)
    cache.delete("k")
    cache.delete("k")
    assert cache.get("k") is None


def test_get_is_served_from_the_cache_after_the_first_read() -> None:
    inner = CountingRepository()
    stored = inner.add(NewItem("lamp"))
    repository = CachedItemRepository(inner, InMemoryCache(), ttl_seconds=60)
    repository._forget(stored.id)  # nothing cached yet: add() went around us

    assert repository.get(stored.id) == stored
    assert repository.get(stored.id) == stored
    assert inner.gets == 1


def test_add_primes_the_cache() -> None:
    inner = CountingRepository()
    cache = InMemoryCache()
    repository = CachedItemRepository(inner, cache)
    item = repository.add(NewItem("lamp", "brass"))
    cached = cache.get(CachedItemRepository.key(item.id))
    assert cached is not None
    assert Item.from_json(json.loads(cached)) == item
    assert repository.get(item.id) == item
    assert inner.gets == 0


def test_missing_items_are_not_cached() -> None:
    inner = CountingRepository()
    repository = CachedItemRepository(inner, InMemoryCache())
    assert repository.get(42) is None
    assert repository.get(42) is None
    assert inner.gets == 2


def test_a_broken_cache_falls_through_to_the_repository(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inner = CountingRepository()
    repository = CachedItemRepository(inner, BrokenCache())
    with caplog.at_level(logging.WARNING):
        item = repository.add(NewItem("lamp"))
        assert repository.get(item.id) == item
    assert inner.gets == 1
    assert "cache write failed" in caplog.text
    assert "cache read failed" in caplog.text


def test_a_malformed_entry_is_dropped_and_reloaded() -> None:
    inner = CountingRepository()
    cache = InMemoryCache()
    repository = CachedItemRepository(inner, cache)
    item = repository.add(NewItem("lamp"))
    cache.set(CachedItemRepository.key(item.id), b"{not json", ttl_seconds=60)

    assert repository.get(item.id) == item
    assert inner.gets == 1
    assert cache.get(CachedItemRepository.key(item.id)) is not None


def test_list_and_ping_pass_through() -> None:
    inner = InMemoryItemRepository()
    repository = CachedItemRepository(inner, BrokenCache())
    inner.add(NewItem("a"))
    assert [i.name for i in repository.list_items(limit=5, offset=0)] == ["a"]
    repository.ping()
