"""No token in a log line: uvicorn's request lines lose the values of secret query
parameters."""

from __future__ import annotations

import logging

from callcenter.api.redact import RedactSecrets, redact
from tests.api.conftest import Harness


def test_a_token_in_an_access_log_line_is_redacted() -> None:
    """uvicorn's access record (client, method, path with query, version, status) keeps
    every other parameter but loses the token's value."""
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d', ("127.0.0.1:5", "GET",
                               "/api/ws?a=1&token=s3cr3t-XYZ&b=2", "1.1", 101), None)
    assert RedactSecrets().filter(record)
    line = record.getMessage()
    assert "s3cr3t" not in line and "/api/ws?a=1&token=[redacted]&b=2" in line


def test_other_secret_parameters_are_redacted_too() -> None:
    """access_token, password and the session cookie's name are redacted; plain ones stay."""
    assert redact("/x?access_token=a&password=b&callcenter_session=c&queue=q") == (
        "/x?access_token=[redacted]&password=[redacted]&callcenter_session=[redacted]"
        "&queue=q")


def test_the_server_puts_the_filter_on_uvicorns_loggers(shared: Harness) -> None:
    """A started app has the filter on the access and the error (WebSocket) loggers."""
    for name in ("uvicorn.access", "uvicorn.error"):
        assert any(isinstance(f, RedactSecrets) for f in logging.getLogger(name).filters)
