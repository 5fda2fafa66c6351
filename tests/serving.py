"""Helpers for tests that run `callcenter` as a real process on a loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(proc: subprocess.Popen[bytes], base: str, log: Path,
                       seconds: float = 180.0) -> None:
    """Return once `base` answers `/openapi.json`; fail with the process's log if it
    exits first or does not answer within `seconds` (a generous bound: on a loaded 2-core
    machine importing and migrating alone took over 30 s)."""
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


@contextlib.asynccontextmanager
async def serving_app(app: FastAPI) -> AsyncIterator[str]:
    """Serve `app` (its lifespan already running) with uvicorn on a free loopback port,
    in this event loop; its `http://` base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", ws="websockets-sansio",
                                           log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
