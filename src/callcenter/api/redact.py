"""Secrets kept out of the server's logs: a `logging.Filter` that replaces the value of
credential-like query parameters (`token`, `access_token`, `password`, ...) in the
request lines uvicorn logs (`uvicorn.access` for HTTP, `uvicorn.error` for WebSocket
handshakes) with `[redacted]`.

The server takes no credential in a URL (`/api/ws` refuses `?token=`), but a client
may still send one: it must not land in a log file.
"""

from __future__ import annotations

import logging
import re

SECRET_PARAMS = re.compile(r"(?i)([?&;](?:[a-z_]*token|password|passwd|secret|api_key|"
                           r"apikey|session|callcenter_session)=)[^&;\s\"']*")
LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    """`text` with the values of secret query parameters replaced."""
    return SECRET_PARAMS.sub(r"\1[redacted]", text)


class RedactSecrets(logging.Filter):
    """Rewrites the record's message arguments (and message) without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


_FILTER = RedactSecrets()


def install() -> None:
    """Put the filter on uvicorn's loggers (once: adding it again changes nothing)."""
    for name in LOGGERS:
        logging.getLogger(name).addFilter(_FILTER)
