"""Command line: ``itemservice serve`` and ``itemservice migrate``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace

from itemservice import __version__
from itemservice.config import ConfigError, Settings
from itemservice.repository import RepositoryError


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command in ``argv``; returns 0 ok, 1 failure, 2 usage error."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"itemservice: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.host is not None:
        settings = replace(settings, host=args.host)
    if args.port is not None:
        settings = replace(settings, port=args.port)
    try:
        if args.command == "migrate":
            return _migrate(settings)
        from itemservice.server import serve

        serve(settings, ready=lambda line: print(line, flush=True))
    except RepositoryError as error:
        print(f"itemservice: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"itemservice: cannot listen: {error}", file=sys.stderr)
        return 1
    return 0


def _migrate(settings: Settings) -> int:
    if not settings.database_url:
        print("itemservice: migrate needs DATABASE_URL", file=sys.stderr)
        return 2
    from itemservice.postgres import PostgresItemRepository

    repository = PostgresItemRepository(settings.database_url)
    try:
        repository.migrate()
    finally:
        repository.close()
    print("itemservice: schema is up to date")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="itemservice",
        description="Items HTTP service. Configured by DATABASE_URL, REDIS_URL, "
        "HOST, PORT, CACHE_TTL_SECONDS and LOG_LEVEL.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument(
        "command",
        choices=("serve", "migrate"),
        nargs="?",
        default="serve",
        help="what to do (default: serve)",
    )
    parser.add_argument("--host", help="address to bind (default: $HOST or 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        help="port to bind, 0 for any free one (default: $PORT or 8000)",
    )
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
