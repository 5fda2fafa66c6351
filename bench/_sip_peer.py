"""The SIP benchmark's peer: the least a B2BUA on sippy does to take the same calls.

    python bench/_sip_peer.py --sip 127.0.0.1:5080 --ng-port 2300 \
        --prompt welcome.wav --music hold.wav

Every INVITE is anchored in rtpengine as our `sip` adapter anchors it: `offer`
with the caller's SDP, `answer` with a sink's SDP (a UDP socket here that drops
what it gets), 200 with rtpengine's SDP; then `play media` of the prompt to the
caller and, when rtpengine says the prompt is over, `stop media` and the hold
music, repeated. The caller's BYE ends the call and `delete`s it in rtpengine.
Nothing else: no routing engine, no IVR, no store, no asyncio; sippy's reactor
runs in the main thread and the NG requests are blocking round trips made from
it. The benchmark starts rtpengine for it; it answers OPTIONS (the readiness
probe) like ours.
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

from callcenter.telephony.sip.bencode import decode, encode
from callcenter.telephony.sip.media import sink_answer
from callcenter.telephony.sip.stack import normalise_datagram


class Ng:
    """Blocking NG requests to rtpengine (one at a time, from the reactor)."""

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
    """One sippy UA per call, keyed by Call-ID."""

    def __init__(self, ng: Ng, sink_port: int, prompt: Path, music: Path) -> None:
        self.ng, self.sink_port = ng, sink_port
        self.prompt, self.music = str(prompt), str(music)
        self.calls: dict[str, Any] = {}
        self.config: dict[str, Any] = {}

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
        if isinstance(event, CCEventTry):
            body = event.getData()[3]
            try:
                sdp = self.anchor(call_id, str(body))
            except Exception as error:  # refused like ours: 503
                print(f"anchoring {call_id}: {error}", file=sys.stderr)
                ua.recvEvent(CCEventFail((503, "Service Unavailable")))
                self.calls.pop(call_id, None)
                return
            ua.recvEvent(CCEventConnect((200, "OK", MsgBody(sdp))))
            reply = self.ng("play media", {"call-id": call_id, "from-tag": "caller",
                                           "file": self.prompt})
            Timeout(self.music_on, int(reply.get(b"duration", 1000)) / 1000, 1, call_id)
        elif isinstance(event, CCEventDisconnect | CCEventFail) and \
                self.calls.pop(call_id, None) is not None:
            self.ng("delete", {"call-id": call_id})

    def anchor(self, call_id: str, sdp: str) -> str:
        to_callee = self.ng("offer", {"call-id": call_id, "from-tag": "caller", "sdp": sdp})
        sink = sink_answer(to_callee[b"sdp"].decode(), "127.0.0.1", self.sink_port)
        reply = self.ng("answer", {"call-id": call_id, "from-tag": "caller",
                                   "to-tag": "callee", "sdp": sink})
        return str(reply[b"sdp"].decode())

    def music_on(self, call_id: str) -> None:
        if call_id not in self.calls:
            return
        ids = {"call-id": call_id, "from-tag": "caller"}
        self.ng("stop media", ids)
        self.ng("play media", {**ids, "file": self.music, "repeat-times": 10_000})


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
    peer = Peer(Ng(args.ng_port), sink.getsockname()[1], args.prompt.resolve(),
                args.music.resolve())
    peer.config.update({"_sip_address": host, "_sip_port": int(port), "_sip_logger": _Quiet()})
    peer.config["_sip_tm"] = _Transactions(peer.config, peer.request)
    signal.signal(signal.SIGTERM, lambda *_: ED2.breakLoop())
    gc.collect()
    gc.freeze()  # as ours does: full collections pause the reactor under load
    print(f"peer listening on udp {host}:{port}", flush=True)
    ED2.loop()


if __name__ == "__main__":
    main()
