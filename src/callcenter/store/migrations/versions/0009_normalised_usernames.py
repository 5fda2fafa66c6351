"""Usernames stored normalised: Unicode NFKC, case-folded, without surrounding spaces
or invisible characters (`store.users.normalize_username`, which login and user
creation now apply), so every existing user keeps logging in with the name it had.

A name whose normalised form another user already has is left as it is (logins still
find it by its exact name); so is one that would be empty or too long. The rule is
copied here as it is today: a migration does not follow later code.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})


def _normalised(name: str) -> str:
    kept = "".join(c for c in name if unicodedata.category(c) not in _INVISIBLE).strip()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", kept).casefold()).strip()


def upgrade() -> None:
    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("username", sa.String))
    logins = sa.table("logins", sa.column("username", sa.String))
    rows = bind.execute(sa.select(users.c.id, users.c.username).order_by(users.c.id)).all()
    taken = {name for _id, name in rows}
    for user_id, name in rows:
        new = _normalised(name)
        if new == name or not new or len(new) > 100 or new in taken:
            continue
        bind.execute(users.update().where(users.c.id == user_id).values(username=new))
        bind.execute(logins.update().where(logins.c.username == name).values(username=new))
        taken.discard(name)
        taken.add(new)


def downgrade() -> None:
    """The names stay normalised (the former forms are not kept)."""
