"""sippy's reactor in its own thread, bridged to asyncio.

sippy runs one reactor per process (`ED2`, a singleton created when sippy is
imported): timers, transaction state and every `UA` live on it. `SippyThread`
runs that reactor in a thread of its own and is the only way in and out:

- asyncio → sippy: `call(fn, *args)` (sippy's `callFromThread`), or
  `await run(fn, *args)` for a result;
- sippy → asyncio: `to_loop(fn, *args)` (`loop.call_soon_threadsafe`).

Only the reactor thread touches sippy objects. Starting it also fixes what a
hands-on trial found wrong with sippy's defaults: the reactor is marked as run by
its thread (sippy records the importing thread, warns about timers armed from
"the wrong thread", and wakes that thread, not ours, for cross-thread calls: 10 ms
latency); sippy's stderr log of every message and its stdout exception dumps go
to `logging` (debug and warning); the objects alive at start are frozen out
of the garbage collector, whose full collections paused the reactor ~200 ms
under load; and sippy's clock (`clock_gettime` through ctypes, 2.4 µs a reading,
several readings per message and timer: 8 % of the server's CPU at 80 calls/s)
is replaced by the standard library's `time.clock_gettime` on the same clocks
(0.15 µs). One sender thread per socket is the stack's business (`stack.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from sippy.Core import EventDispatcher as _ed

log = logging.getLogger("callcenter.telephony.sip")

T = TypeVar("T")

_running_lock = threading.Lock()
"""sippy's reactor is one per process: at most one `SippyThread` runs at a time."""


class SipLog:
    """Stands in for sippy's `SipLogger`: every message at debug on our logger."""

    def write(self, *args: object, **kwargs: object) -> None:
        """Log what sippy would print (a direction line and the message)."""
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s", "".join(str(a) for a in args).rstrip())

    def shutdown(self) -> None:
        """Nothing to close."""


def _dump_exception(msg: str, f: object = None, extra: object = None) -> None:
    """sippy's `dump_exception`, sent to `logging` instead of stdout: one line, details at debug."""
    error = sys.exc_info()[1]
    log.warning("sippy: %s: %r", msg, error)
    if log.isEnabledFor(logging.DEBUG):
        text = "".join(traceback.format_exception(*sys.exc_info()))
        log.debug("sippy: %s\n%s%s", msg, text, "" if extra is None else str(extra)[:2000])


def _route_sippy_output() -> None:
    """Point every loaded sippy module's `dump_exception` at `logging`."""
    for name, module in list(sys.modules.items()):
        if (name == "sippy" or name.startswith("sippy.")) and hasattr(module, "dump_exception"):
            setattr(module, "dump_exception", _dump_exception)  # noqa: B010


def _native_clocks() -> None:
    """sippy's clock readings (ctypes calls of libc's `clock_gettime`) by `time`'s, which
    read the same clocks (the same clock ids) without ctypes."""
    for name, attribute, native in (
            ("sippy.Time.MonoTime", "clock_getdtime", time.clock_gettime),
            ("sippy.Time.clock_dtime", "clock_getdtime", time.clock_gettime),
            ("sippy.Time.clock_dtime", "clock_getntime", time.clock_gettime_ns),
            ("sippy.Security.SipNonce", "clock_getntime", time.clock_gettime_ns)):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, attribute):
            setattr(module, attribute, native)


def _halt() -> None:
    """On the reactor: drop every pending sippy timer (retransmissions, dead-leg
    reapers of the B2BUA that is stopping) and end the loop, so that a later start
    begins clean."""
    ed = _ed.ED2
    ed.tlisteners.clear()
    ed.twasted = 0
    ed.breakLoop()


class SippyThread:
    """Runs sippy's reactor in a thread; `start` and `stop` from the asyncio loop."""

    def __init__(self, *, name: str = "sippy") -> None:
        self._name = name
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()

    @property
    def running(self) -> bool:
        """True between `start` and `stop`."""
        return self._thread is not None

    def start(self) -> None:
        """Start the reactor thread; returns once it runs. Call from the asyncio loop."""
        if self._thread is not None:
            raise RuntimeError("SippyThread already started")
        if not _running_lock.acquire(blocking=False):
            raise RuntimeError("another SippyThread runs: sippy has one reactor per process")
        self._loop = asyncio.get_running_loop()
        _route_sippy_output()
        _native_clocks()
        gc.collect()
        gc.freeze()
        self._ready.clear()
        self._thread = threading.Thread(target=self._main, name=self._name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def stop(self, timeout: float = 5.0) -> None:
        """Break the reactor loop and join its thread."""
        thread = self._thread
        if thread is None:
            return
        _ed.ED2.callFromThread(_halt)
        thread.join(timeout)
        if thread.is_alive():  # pragma: no cover - a wedged reactor
            log.error("sippy reactor thread did not stop within %.1f s", timeout)
        else:
            # Point sippy's cross-thread wake-up back at a live thread (ours, as at
            # import): left aimed at the exited reactor thread, freeing sippy's
            # dispatcher at interpreter exit crashes once another thread (say, an
            # asyncio child watcher) has reused the dead thread's id.
            _ed.ED2.elp.CFT_enable(signal.SIGURG)
        self._thread = None
        self._loop = None
        gc.unfreeze()
        _running_lock.release()

    def call(self, fn: Callable[..., object], *args: object) -> None:
        """Run `fn(*args)` on the reactor thread, soon; exceptions are logged there."""
        if self._thread is None:
            raise RuntimeError("SippyThread is not running")
        _ed.ED2.callFromThread(fn, *args)

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """Run `fn(*args)` on the reactor thread and await its result (or exception)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def settle(result: T | None, error: BaseException | None) -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)  # type: ignore[arg-type]

        def job() -> None:
            try:
                result = fn(*args)
            except Exception as error:  # handed to the awaiting coroutine
                loop.call_soon_threadsafe(settle, None, error)
            else:
                loop.call_soon_threadsafe(settle, result, None)

        self.call(job)
        return await future

    def to_loop(self, fn: Callable[..., object], *args: Any) -> None:
        """From the reactor thread: run `fn(*args)` on the asyncio loop, soon."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed under us at shutdown
            loop.call_soon_threadsafe(fn, *args)

    def _main(self) -> None:
        ed = _ed.ED2
        # Mark this thread as the reactor's own: sippy checks `my_ident` when
        # timers are armed, and cross-thread calls wake the thread that enabled them.
        ed.my_ident = threading.get_ident()
        ed.elp.CFT_enable(signal.SIGURG)
        self._ready.set()
        try:
            ed.loop()
        except BaseException:  # pragma: no cover - the reactor died
            log.exception("sippy reactor stopped on an exception")
