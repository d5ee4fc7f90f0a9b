from __future__ import annotations

from datetime import datetime, timezone

import pytest

from itemservice.models import (
    MAX_DESCRIPTION_LENGTH,
    MAX_NAME_LENGTH,
    Item,
    NewItem,
    ValidationError,
    parse_new_item,
)


def test_parse_strips_the_name_and_defaults_the_description() -> None:
    assert parse_new_item({"name": "  lamp "}) == NewItem(name="lamp", description="")


def test_parse_keeps_the_description() -> None:
    new = parse_new_item({"name": "lamp", "description": "brass, 40 W"})
    assert new == NewItem(name="lamp", description="brass, 40 W")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "must be a JSON object"),
        ("lamp", "must be a JSON object"),
        ({}, "'name' is required"),
        ({"name": "   "}, "'name' is required"),
        ({"name": 7}, "'name' is required"),
        ({"name": "x" * (MAX_NAME_LENGTH + 1)}, "at most 200 characters"),
        ({"name": "lamp", "description": 3}, "'description' must be a string"),
        (
            {"name": "lamp", "description": "d" * (MAX_DESCRIPTION_LENGTH + 1)},
            "at most 2000 characters",
        ),
        (
            {"name": "lamp", "price": 3, "colour": "red"},
            "unknown field(s): colour, price",
        ),
    ],
)
def test_parse_rejects_invalid_payloads(payload: object, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_new_item(payload)
    assert message in str(raised.value)


def test_name_at_the_length_limit_is_accepted() -> None:
    assert parse_new_item({"name": "x" * MAX_NAME_LENGTH}).name == "x" * MAX_NAME_LENGTH


def test_json_round_trip() -> None:
    item = Item(
        id=3,
        name="lamp",
        description="brass",
        created_at=datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc),
    )
    data = item.to_json()
    assert data == {
        "id": 3,
        "name": "lamp",
        "description": "brass",
        "created_at": "2024-05-01T12:30:00+00:00",
    }
    assert Item.from_json(data) == item
