"""The storage interface for items and its in-memory implementation.

The HTTP layer only sees ``ItemRepository``; PostgreSQL (``postgres.py``), the
read-through cache (``cache.py``) and the in-memory store below all satisfy it.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Protocol

from itemservice.models import Item, NewItem


class RepositoryError(RuntimeError):
    """The backing store failed (unreachable, timed out, rejected the query)."""


class ItemRepository(Protocol):
    """Stores items. Every method raises RepositoryError when the store fails."""

    def add(self, new: NewItem) -> Item:
        """Stores ``new`` and returns it with its id and creation time."""
        ...

    def get(self, item_id: int) -> Item | None:
        """The item with ``item_id``, or None when there is none."""
        ...

    def list_items(self, *, limit: int, offset: int) -> list[Item]:
        """Up to ``limit`` items in id order, skipping the first ``offset``."""
        ...

    def ping(self) -> None:
        """Returns when the store answers; raises RepositoryError otherwise."""
        ...


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class InMemoryItemRepository:
    """A thread-safe ItemRepository in a dict: for unit tests and local demos."""

    def __init__(self, clock: Callable[[], datetime] = _utcnow) -> None:
        self._items: dict[int, Item] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._clock = clock

    def add(self, new: NewItem) -> Item:
        with self._lock:
            item = Item(
                id=next(self._ids),
                name=new.name,
                description=new.description,
                created_at=self._clock(),
            )
            self._items[item.id] = item
            return item

    def get(self, item_id: int) -> Item | None:
        with self._lock:
            return self._items.get(item_id)

    def list_items(self, *, limit: int, offset: int) -> list[Item]:
        with self._lock:
            ordered = sorted(self._items.values(), key=lambda item: item.id)
        return ordered[offset : offset + limit]

    def ping(self) -> None:
        return None
