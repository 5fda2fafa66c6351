"""Scratch PostgreSQL databases and schemas for the tests that run on both databases.

A test session creates a database of its own (named after the process and a random
tag, dropped at the end) and each test a fresh schema in it. Without a server at
`CALLCENTER_TEST_POSTGRES_URL` (default: the local `test` database) the tests skip,
saying where they looked.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from callcenter.store import database_url

POSTGRES_URL = os.environ.get("CALLCENTER_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
_schemas = itertools.count(1)


def admin_engine(url: URL) -> Engine:
    """An autocommit engine for CREATE/DROP DATABASE and SCHEMA."""
    return create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


@contextmanager
def scratch_database(prefix: str) -> Iterator[URL]:
    """A database of our own on the server, dropped afterwards; skips if none answers."""
    base = database_url(POSTGRES_URL)
    admin = admin_engine(base)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        admin.dispose()
        where = base.render_as_string(hide_password=True)
        pytest.skip(f"PostgreSQL not reachable at {where}: {exc.orig}")
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_schema(database: URL, prefix: str) -> Iterator[URL]:
    """A fresh schema in `database`, as the connections' search path; dropped afterwards."""
    schema = f"{prefix}_{next(_schemas)}"
    admin = admin_engine(database)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield database.update_query_dict({"options": f"-csearch_path={schema}"})
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
