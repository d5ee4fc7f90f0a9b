from __future__ import annotations

import pytest

from itemservice.config import ConfigError, Settings


def test_defaults_when_the_environment_is_empty() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.database_url is None
    assert settings.redis_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_reads_every_variable() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://app:pw@db:5432/items",
            "REDIS_URL": "redis://cache:6379/0",
            "HOST": "0.0.0.0",
            "PORT": "9000",
            "CACHE_TTL_SECONDS": "5",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.database_url == "postgresql://app:pw@db:5432/items"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.port == 9000
    assert settings.cache_ttl_seconds == 5
    assert settings.log_level == "DEBUG"


def test_blank_urls_count_as_unset() -> None:
    settings = Settings.from_env({"DATABASE_URL": "  ", "REDIS_URL": ""})
    assert settings.database_url is None
    assert settings.redis_url is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORT": "http"}, "PORT must be an integer"),
        ({"PORT": "70000"}, "PORT must be >= 0 and <= 65535"),
        ({"CACHE_TTL_SECONDS": "0"}, "CACHE_TTL_SECONDS must be >= 1"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of"),
    ],
)
def test_rejects_unusable_values(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)
