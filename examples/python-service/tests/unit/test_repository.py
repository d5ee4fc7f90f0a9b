from __future__ import annotations

import threading
from datetime import datetime, timezone

from itemservice.models import NewItem
from itemservice.repository import InMemoryItemRepository

FIXED = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_add_assigns_increasing_ids_and_the_clock_time() -> None:
    repository = InMemoryItemRepository(clock=lambda: FIXED)
    first = repository.add(NewItem("a"))
    second = repository.add(NewItem("b", "second"))
    assert (first.id, second.id) == (1, 2)
    assert second.description == "second"
    assert first.created_at == FIXED


def test_get_returns_the_stored_item_or_none() -> None:
    repository = InMemoryItemRepository()
    item = repository.add(NewItem("a"))
    assert repository.get(item.id) == item
    assert repository.get(item.id + 1) is None


def test_list_pages_in_id_order() -> None:
    repository = InMemoryItemRepository()
    for name in "abcde":
        repository.add(NewItem(name))
    assert [i.name for i in repository.list_items(limit=2, offset=0)] == ["a", "b"]
    assert [i.name for i in repository.list_items(limit=2, offset=3)] == ["d", "e"]
    assert repository.list_items(limit=10, offset=5) == []


def test_concurrent_adds_get_unique_ids() -> None:
    repository = InMemoryItemRepository()

    def add_many() -> None:
        for _ in range(200):
            repository.add(NewItem("x"))

    threads = [threading.Thread(target=add_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    items = repository.list_items(limit=1000, offset=0)
    assert len(items) == 800
    assert len({item.id for item in items}) == 800
