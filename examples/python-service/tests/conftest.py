from __future__ import annotations

import pytest

from itemservice.app import ItemsApp
from itemservice.repository import InMemoryItemRepository


@pytest.fixture
def repository() -> InMemoryItemRepository:
    return InMemoryItemRepository()


@pytest.fixture
def app(repository: InMemoryItemRepository) -> ItemsApp:
    return ItemsApp(repository, {"database": repository.ping})
