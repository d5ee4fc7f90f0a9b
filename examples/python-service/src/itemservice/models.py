"""The item resource: its shape, its validation and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000


class ValidationError(ValueError):
    """A request body does not describe a valid item; the message says why."""


@dataclass(frozen=True)
class NewItem:
    """A validated item that has not been stored yet."""

    name: str
    description: str = ""


@dataclass(frozen=True)
class Item:
    """A stored item."""

    id: int
    name: str
    description: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The item as a JSON-ready dict (timestamps in ISO 8601)."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "created_at": self.created_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Item:
        """Inverse of ``to_json``; raises KeyError/ValueError on malformed data."""
        return cls(
            id=int(data["id"]),
            name=str(data["name"]),
            description=str(data["description"]),
            created_at=datetime.fromisoformat(str(data["created_at"])),
        )


def parse_new_item(payload: object) -> NewItem:
    """Validates a decoded JSON body; raises ValidationError with the reason."""
    if not isinstance(payload, dict):
        raise ValidationError("body must be a JSON object")
    unknown = sorted(set(payload) - {"name", "description"})
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(unknown)}")

    name = payload.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("'name' is required and must be a non-empty string")
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(f"'name' must be at most {MAX_NAME_LENGTH} characters")

    description = payload.get("description", "")
    if not isinstance(description, str):
        raise ValidationError("'description' must be a string")
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            f"'description' must be at most {MAX_DESCRIPTION_LENGTH} characters"
        )
    return NewItem(name=name, description=description)
