"""Helpers for tests that run `callcenter` as a real process on a loopback port."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(proc: subprocess.Popen[bytes], base: str, log: Path,
                       seconds: float = 30.0) -> None:
    """Return once `base` answers `/openapi.json`; fail with the process's log if it
    exits first or does not answer within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(f"{base}/openapi.json", timeout=1).is_success:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{base} did not come up:\n{log.read_text()}"
        time.sleep(0.1)
