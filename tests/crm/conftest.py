"""The crm services' store tests run on SQLite and PostgreSQL (the store's fixtures)."""

from tests.store.conftest import empty_url, engine, postgres_database, session

__all__ = ["empty_url", "engine", "postgres_database", "session"]
