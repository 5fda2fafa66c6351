"""Persistence: SQLAlchemy 2 tables, repositories over a `Session`, Alembic migrations.

SQLite (a file in WAL mode) by default, PostgreSQL through `CALLCENTER_DATABASE_URL`.
Repository functions flush but never commit; the caller owns the transaction.
See docs/reference/store.md.
"""

from callcenter.store.engine import URL_VARIABLE, create_engine_for, database_url, session_factory
from callcenter.store.errors import Conflict, NotFound, StoreError
from callcenter.store.migration import migrate

__all__ = [
    "URL_VARIABLE",
    "Conflict",
    "NotFound",
    "StoreError",
    "create_engine_for",
    "database_url",
    "migrate",
    "session_factory",
]
