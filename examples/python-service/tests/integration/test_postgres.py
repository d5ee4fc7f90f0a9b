"""PostgreSQL repository against a real server: set DATABASE_URL to run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from itemservice.models import NewItem
from itemservice.postgres import PostgresItemRepository
from itemservice.repository import RepositoryError

DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not DATABASE_URL, reason="DATABASE_URL is not set"),
]


@pytest.fixture
def postgres() -> Iterator[PostgresItemRepository]:
    repository = PostgresItemRepository(DATABASE_URL)
    repository.migrate()
    yield repository
    repository.close()


def test_migrate_is_idempotent(postgres: PostgresItemRepository) -> None:
    postgres.migrate()
    postgres.ping()


def test_add_get_round_trip(postgres: PostgresItemRepository) -> None:
    name = f"lamp-{uuid.uuid4()}"
    item = postgres.add(NewItem(name, "brass"))
    assert item.id > 0
    assert item.created_at.tzinfo is not None
    assert postgres.get(item.id) == item


def test_get_missing_returns_none(postgres: PostgresItemRepository) -> None:
    assert postgres.get(2**62) is None


def test_list_is_in_id_order_and_pages(postgres: PostgresItemRepository) -> None:
    tag = uuid.uuid4().hex
    added = [postgres.add(NewItem(f"{tag}-{n}")) for n in range(3)]
    listed = postgres.list_items(limit=1000, offset=0)
    ours = [item for item in listed if item.name.startswith(tag)]
    assert ours == added
    ids = [item.id for item in listed]
    assert ids == sorted(ids)
    assert len(postgres.list_items(limit=2, offset=0)) == 2


def test_constraint_violation_is_a_repository_error(
    postgres: PostgresItemRepository,
) -> None:
    with pytest.raises(RepositoryError, match="PostgreSQL error"):
        postgres.add(NewItem("x" * 201))
    postgres.ping()  # the pool is still usable afterwards


def test_unreachable_database_is_a_repository_error() -> None:
    with pytest.raises(RepositoryError, match="cannot connect"):
        PostgresItemRepository(
            "postgresql://nobody@127.0.0.1:1/none", connect_timeout_seconds=1
        )
