"""ItemRepository on PostgreSQL through a psycopg2 connection pool.

Connections are borrowed per call; a connection that raised is closed rather
than returned, so a restarted database heals on the next call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
import psycopg2.pool

from itemservice.models import Item, NewItem
from itemservice.repository import RepositoryError

# Forward-only, idempotent schema; version 1.
SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


class PostgresItemRepository:
    """An ItemRepository backed by the ``items`` table."""

    def __init__(
        self,
        dsn: str,
        *,
        min_connections: int = 1,
        max_connections: int = 10,
        connect_timeout_seconds: int = 3,
    ) -> None:
        """Opens the pool; raises RepositoryError when the database is unreachable."""
        try:
            self._pool = psycopg2.pool.ThreadedConnectionPool(
                min_connections,
                max_connections,
                dsn,
                connect_timeout=connect_timeout_seconds,
                application_name="itemservice",
            )
        except psycopg2.Error as error:
            raise RepositoryError(f"cannot connect to PostgreSQL: {error}") from error

    def close(self) -> None:
        """Closes every pooled connection."""
        self._pool.closeall()

    def migrate(self) -> None:
        """Creates the schema when missing; safe to run on every start."""
        with self._cursor() as cursor:
            cursor.execute(SCHEMA)

    def add(self, new: NewItem) -> Item:
        with self._cursor() as cursor:
            cursor.execute(
                "INSERT INTO items (name, description) VALUES (%s, %s) "
                "RETURNING id, name, description, created_at",
                (new.name, new.description),
            )
            return _row_to_item(cursor.fetchone())

    def get(self, item_id: int) -> Item | None:
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT id, name, description, created_at FROM items WHERE id = %s",
                (item_id,),
            )
            row = cursor.fetchone()
        return None if row is None else _row_to_item(row)

    def list_items(self, *, limit: int, offset: int) -> list[Item]:
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT id, name, description, created_at FROM items "
                "ORDER BY id LIMIT %s OFFSET %s",
                (limit, offset),
            )
            rows = cursor.fetchall()
        return [_row_to_item(row) for row in rows]

    def ping(self) -> None:
        with self._cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A cursor in its own transaction: committed on success, else rolled back."""
        try:
            connection = self._pool.getconn()
        except psycopg2.Error as error:
            raise RepositoryError(f"no PostgreSQL connection: {error}") from error
        broken = False
        try:
            with connection:  # commits, or rolls back on an exception
                with connection.cursor() as cursor:
                    yield cursor
        except psycopg2.Error as error:
            broken = bool(connection.closed) or isinstance(
                error, psycopg2.OperationalError
            )
            raise RepositoryError(f"PostgreSQL error: {error}") from error
        finally:
            self._pool.putconn(connection, close=broken)


def _row_to_item(row: Any) -> Item:
    item_id, name, description, created_at = row
    return Item(
        id=int(item_id), name=name, description=description, created_at=created_at
    )
