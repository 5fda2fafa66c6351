"""Alembic migration environment and scripts of the store (run by `callcenter.store.migrate`)."""
