"""Settings read from the environment, validated once at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


class ConfigError(ValueError):
    """An environment variable is present but unusable."""


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment.

    ``database_url`` / ``redis_url`` are optional: without them the service runs on
    an in-memory store and without a cache, which is what local demos want.
    """

    database_url: str | None = None
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    cache_ttl_seconds: int = 60
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Builds settings from ``env`` (default: ``os.environ``).

        Raises ConfigError naming the variable when a value cannot be used.
        """
        source = os.environ if env is None else env
        return cls(
            database_url=_optional(source, "DATABASE_URL"),
            redis_url=_optional(source, "REDIS_URL"),
            host=source.get("HOST", cls.host),
            port=_int(source, "PORT", cls.port, minimum=0, maximum=65535),
            cache_ttl_seconds=_int(
                source, "CACHE_TTL_SECONDS", cls.cache_ttl_seconds, minimum=1
            ),
            log_level=_log_level(source.get("LOG_LEVEL", cls.log_level)),
        )


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _int(
    env: Mapping[str, str],
    name: str,
    default: int,
    *,
    minimum: int,
    maximum: int | None = None,
) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and <= {maximum}"
        raise ConfigError(f"{name} must be >= {minimum}{upper}, got {value}")
    return value


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")
    return level
