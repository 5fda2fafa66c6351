"""The password policy for new passwords (admin API and `callcenter create-user`): at
least `MIN_LENGTH` characters, not one of the 20,000 commonest passwords, not holding
the username.

The list ships inside the package (`common-passwords.txt.gz`: Django 5.2.19's list,
lower case; its licence beside it); nothing is fetched at run time. Passwords already
stored are not checked (their users keep logging in).
"""

from __future__ import annotations

import functools
import gzip
from importlib import resources

MIN_LENGTH = 10
LIST = "common-passwords.txt.gz"


@functools.cache
def common_passwords() -> frozenset[str]:
    """The common passwords, lower case (read once)."""
    data = resources.files("callcenter.api").joinpath(LIST).read_bytes()
    return frozenset(line.strip() for line in gzip.decompress(data).decode().splitlines()
                     if line.strip())


def password_problem(password: str, username: str = "") -> str | None:
    """What is wrong with `password` as a new password of `username`, naming the field;
    None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"password: must be at least {MIN_LENGTH} characters, got {len(password)}"
    if password.casefold() in common_passwords():
        return "password: is one of the 20,000 commonest passwords; choose another"
    if username and username.casefold() in password.casefold():
        return "password: must not contain the username"
    return None
