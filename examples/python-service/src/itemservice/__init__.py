"""itemservice: a small HTTP service for items (PostgreSQL + Redis cache)."""

__version__ = "0.3.0"
