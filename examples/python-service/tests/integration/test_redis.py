"""Redis cache against a real server: set REDIS_URL to run."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest

from itemservice.cache import CachedItemRepository, CacheError, RedisCache
from itemservice.models import NewItem
from itemservice.repository import InMemoryItemRepository

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set"),
]


@pytest.fixture
def cache() -> Iterator[RedisCache]:
    cache = RedisCache(REDIS_URL)
    yield cache
    cache.close()


def test_set_get_delete(cache: RedisCache) -> None:
    key = f"itemservice-test:{uuid.uuid4()}"
    assert cache.get(key) is None
    cache.set(key, b"value", ttl_seconds=30)
    assert cache.get(key) == b"value"
    cache.delete(key)
    assert cache.get(key) is None


def test_entries_expire(cache: RedisCache) -> None:
    key = f"itemservice-test:{uuid.uuid4()}"
    cache.set(key, b"value", ttl_seconds=1)
    deadline = time.monotonic() + 5
    while cache.get(key) is not None:
        assert time.monotonic() < deadline, "key did not expire"
        time.sleep(0.1)


def test_read_through_with_redis(cache: RedisCache) -> None:
    inner = InMemoryItemRepository()
    repository = CachedItemRepository(inner, cache, ttl_seconds=30)
    item = repository.add(NewItem("lamp"))
    try:
        assert cache.get(CachedItemRepository.key(item.id)) is not None
        assert repository.get(item.id) == item
    finally:
        cache.delete(CachedItemRepository.key(item.id))


def test_unreachable_redis_is_a_cache_error() -> None:
    cache = RedisCache("redis://127.0.0.1:1/0", timeout_seconds=0.5)
    with pytest.raises(CacheError, match="PING failed"):
        cache.ping()
    cache.close()
