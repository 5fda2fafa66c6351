"""The SIP benchmark's peer: the least a B2BUA on sippy does to take the same calls.

    python bench/_sip_peer.py --sip 127.0.0.1:5080 --ng-port 2300 \
        --prompt welcome.wav --music hold.wav

Every INVITE is anchored in rtpengine as our `sip` adapter anchors it: `offer`
with the caller's SDP, `answer` with a sink's SDP (a UDP socket here that drops
what it gets), 200 with rtpengine's SDP; then `play media` of the prompt to the
caller and, when rtpengine says the prompt is over, `stop media` and the hold
music, repeated. The caller's BYE ends the call and `delete`s it in rtpengine.
Nothing else: no routing engine, no IVR, no store, no asyncio; sippy's reactor
runs in the main thread. The NG requests do not block it: they are sent as sippy's
own rtpproxy client sends its commands (`Rtp_proxy_client_udp`: a sippy
`Udp_server` whose replies come back to the reactor as callbacks, matched by
cookie, with `Timeout`s for the retransmissions), and each step of a call goes on
in the callback of the previous step's reply, so the reactor takes other calls'
messages while rtpengine works, as our asyncio NG client lets our server do. The
benchmark starts rtpengine for it; it answers OPTIONS (the readiness probe) like
ours.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from sippy.CCEvents import CCEventConnect, CCEventDisconnect, CCEventFail, CCEventTry
from sippy.Core.EventDispatcher import ED2
from sippy.MsgBody import MsgBody
from sippy.SipAddress import SipAddress
from sippy.SipConf import SipConf
from sippy.SipContact import SipContact
from sippy.SipTransactionManager import SipTransactionManager
from sippy.SipURL import SipURL
from sippy.Time.Timeout import Timeout
from sippy.UA import UA
from sippy.Udp_server import Udp_server, Udp_server_opts

from callcenter.telephony.sip.bencode import decode, encode
from callcenter.telephony.sip.media import sink_answer
from callcenter.telephony.sip.stack import normalise_datagram


class Ng:
    """Blocking NG requests to rtpengine, one at a time: the benchmark's own queries
    (`ping`, `list`, `query`), never made from a B2BUA."""

    def __init__(self, port: int, timeout: float = 2.0) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.connect(("127.0.0.1", port))
        self._sock.settimeout(timeout)
        self._cookies = itertools.count(1)
        self._prefix = os.urandom(6).hex()

    def __call__(self, command: str, options: dict[str, Any] | None = None, *,
                 tries: int = 1) -> dict[bytes, Any]:
        """The reply to `command`; sent again (same cookie: rtpengine answers a repeat
        from its cache) up to `tries` times when no reply comes within the timeout."""
        cookie = f"{self._prefix}_{next(self._cookies)}".encode()
        message = cookie + b" " + encode({**(options or {}), "command": command})
        for attempt in range(tries):
            self._sock.send(message)
            try:
                while True:
                    got, _, body = self._sock.recv(65536).partition(b" ")
                    if got == cookie:
                        break
            except TimeoutError:
                if attempt == tries - 1:
                    raise
                continue
            reply = decode(body)
            assert isinstance(reply, dict)
            if reply.get(b"result") == b"error":
                raise RuntimeError(f"rtpengine {command}: {reply.get(b'error-reason')!r}")
            return reply
        raise TimeoutError(f"rtpengine {command}: no reply")


Reply = Callable[[dict[bytes, Any] | None], None]
"""Called in the reactor with rtpengine's reply, or None (an error, or no reply)."""


def _ignore(_reply: dict[bytes, Any] | None) -> None:
    pass


class AsyncNg:
    """NG requests that do not block sippy's reactor, made as sippy's rtpproxy client
    makes its commands: sent from a sippy `Udp_server` (its own sender and receiver
    threads), the reply handed back to the reactor and matched by cookie, sent again
    (same cookie) after `timeout` seconds up to `tries` times."""

    def __init__(self, config: dict[str, Any], port: int, *, timeout: float = 1.0,
                 tries: int = 3) -> None:
        self.address = ("127.0.0.1", port)
        self.timeout, self.tries = timeout, tries
        options = Udp_server_opts(("127.0.0.1", 0), self._reply)
        options.flags = 0
        options.nworkers = 1
        self._server = Udp_server(config, options)
        self._pending: dict[bytes, list[Any]] = {}  # cookie -> [message, then, timer, left]
        self._cookies = itertools.count(1)
        self._prefix = os.urandom(6).hex()
        self.errors = 0

    def __call__(self, command: str, options: dict[str, Any], then: Reply = _ignore) -> None:
        cookie = f"{self._prefix}_{next(self._cookies)}".encode()
        message = cookie + b" " + encode({**options, "command": command})
        timer = Timeout(self._again, self.timeout, 1, cookie)
        self._pending[cookie] = [message, then, timer, self.tries - 1]
        self._server.send_to(message, self.address)

    def _again(self, cookie: bytes) -> None:
        pending = self._pending.get(cookie)
        if pending is None:
            return
        if pending[3] <= 0:
            del self._pending[cookie]
            self.errors += 1
            print(f"rtpengine: no reply to {pending[0][:60]!r}", file=sys.stderr)
            pending[1](None)
            return
        pending[3] -= 1
        pending[2] = Timeout(self._again, self.timeout, 1, cookie)
        self._server.send_to(pending[0], self.address)

    def _reply(self, data: bytes, _address: Any, _server: Any, _rtime: Any) -> None:
        cookie, _, body = data.partition(b" ")
        pending = self._pending.pop(cookie, None)
        if pending is None:
            return  # a late answer to a request sent again
        pending[2].cancel()
        reply = decode(body)
        if not isinstance(reply, dict) or reply.get(b"result") == b"error":
            self.errors += 1
            print(f"rtpengine: {reply!r} to {pending[0][:60]!r}", file=sys.stderr)
            pending[1](None)
            return
        pending[1](reply)


class _Transactions(SipTransactionManager):  # type: ignore[misc]
    """sippy's, with what ours does to every datagram first: URI transports in lower
    case (sippy refuses `;transport=UDP`, which sipp sends)."""

    def handleIncoming(self, data_in: bytes, ra: Any, server: Any, rtime: Any) -> None:
        text = normalise_datagram(data_in)
        if text is not None:
            super().handleIncoming(text, ra, server, rtime)


class _Quiet:
    """sippy's message log, off (ours logs them at debug, which the server leaves off)."""

    def write(self, *args: object, **kwargs: object) -> None:
        pass

    def shutdown(self) -> None:
        pass


class Peer:
    """One sippy UA per call, keyed by Call-ID; every NG step goes on in the reply's
    callback."""

    def __init__(self, sink_port: int, prompt: Path, music: Path) -> None:
        self.sink_port = sink_port
        self.prompt, self.music = str(prompt), str(music)
        self.calls: dict[str, Any] = {}
        self.config: dict[str, Any] = {}
        self.ng: AsyncNg | None = None

    def request(self, req: Any, sip_t: Any) -> Any:
        method = req.getMethod()
        if method == "OPTIONS":
            return (req.genResponse(200, "OK"), None, None)
        if method != "INVITE" or req.getHFBody("to").getTag() is not None:
            return (req.genResponse(501, "Not Implemented"), None, None)
        call_id = str(req.getHFBody("call-id"))
        ua = UA(self.config, partial(self.event, call_id))
        # As ours: a Contact without sippy's "Anonymous", which sipp copies into its BYE.
        ua.lContact = SipContact(address=SipAddress(url=SipURL(
            host=SipConf.my_address, port=SipConf.my_port, transport=SipConf.my_transport),
            hadbrace=True))
        self.calls[call_id] = ua
        return ua.recvRequest(req, sip_t)

    def event(self, call_id: str, event: Any, ua: Any) -> None:
        assert self.ng is not None
        if isinstance(event, CCEventTry):
            sdp = str(event.getData()[3])
            self.ng("offer", {"call-id": call_id, "from-tag": "caller", "sdp": sdp},
                    partial(self.offered, call_id))
        elif isinstance(event, CCEventDisconnect | CCEventFail) and \
                self.calls.pop(call_id, None) is not None:
            self.ng("delete", {"call-id": call_id})

    def refuse(self, call_id: str) -> None:
        """Refused like ours when rtpengine fails: 503."""
        ua = self.calls.pop(call_id, None)
        if ua is not None:
            ua.recvEvent(CCEventFail((503, "Service Unavailable")))

    def offered(self, call_id: str, reply: dict[bytes, Any] | None) -> None:
        assert self.ng is not None
        if call_id not in self.calls:
            return  # the caller left meanwhile (its delete is sent)
        if reply is None:
            self.refuse(call_id)
            return
        sink = sink_answer(reply[b"sdp"].decode(), "127.0.0.1", self.sink_port)
        self.ng("answer", {"call-id": call_id, "from-tag": "caller", "to-tag": "callee",
                           "sdp": sink}, partial(self.answered, call_id))

    def answered(self, call_id: str, reply: dict[bytes, Any] | None) -> None:
        assert self.ng is not None
        ua = self.calls.get(call_id)
        if ua is None:
            return
        if reply is None:
            self.refuse(call_id)
            return
        ua.recvEvent(CCEventConnect((200, "OK", MsgBody(reply[b"sdp"].decode()))))
        self.ng("play media", {"call-id": call_id, "from-tag": "caller", "file": self.prompt},
                partial(self.playing, call_id))

    def playing(self, call_id: str, reply: dict[bytes, Any] | None) -> None:
        if reply is not None and call_id in self.calls:
            Timeout(self.music_on, int(reply.get(b"duration", 1000)) / 1000, 1, call_id)

    def music_on(self, call_id: str) -> None:
        assert self.ng is not None
        if call_id not in self.calls:
            return
        ids = {"call-id": call_id, "from-tag": "caller"}
        self.ng("stop media", ids, partial(self.play_music, call_id))

    def play_music(self, call_id: str, _reply: dict[bytes, Any] | None) -> None:
        assert self.ng is not None
        if call_id in self.calls:
            self.ng("play media", {"call-id": call_id, "from-tag": "caller",
                                   "file": self.music, "repeat-times": 10_000})


def _drain(sock: socket.socket) -> None:
    while True:
        sock.recv(2048)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sip", required=True, help="HOST:PORT to listen on (UDP)")
    parser.add_argument("--ng-port", type=int, required=True, help="rtpengine's NG port")
    parser.add_argument("--prompt", type=Path, required=True, help="WAV played first")
    parser.add_argument("--music", type=Path, required=True, help="WAV repeated after it")
    args = parser.parse_args()
    host, _, port = args.sip.rpartition(":")
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    threading.Thread(target=_drain, args=(sink,), daemon=True).start()
    peer = Peer(sink.getsockname()[1], args.prompt.resolve(), args.music.resolve())
    peer.config.update({"_sip_address": host, "_sip_port": int(port), "_sip_logger": _Quiet()})
    peer.ng = AsyncNg(peer.config, args.ng_port)
    peer.config["_sip_tm"] = _Transactions(peer.config, peer.request)
    signal.signal(signal.SIGTERM, lambda *_: ED2.breakLoop())
    gc.collect()
    gc.freeze()  # as ours does: full collections pause the reactor under load
    print(f"peer listening on udp {host}:{port}", flush=True)
    ED2.loop()


if __name__ == "__main__":
    main()
