"""The sippy side of the B2BUA: runs on the reactor thread, and only there.

`SipStack` owns sippy's transaction manager (one UDP socket on the configured
address, with one sender thread: several reordered 180 and 200) and one sippy
`UA` per leg, keyed by Call-ID. It turns sippy's `CCEvent*` into our plain
`IncomingCall` and `LegEvent` values and hands them to `emit` (which posts them
to asyncio); the asyncio side's decisions come back as method calls (`answer`,
`ring`, `reject`, `originate`, `hangup`) through `SippyThread.call`.
A REGISTER is answered by the registrar (`registrar.py`, fed the raw header
values by `register_request`) when there is one, else 501.

Peers misbehave: each datagram is decoded as UTF-8 (else dropped), its
`;transport=UDP` URI parameters are lower-cased (sippy fails to send a BYE to a
Contact with an upper-case transport), a message sippy would wrongly take (another
SIP version, a Content-Length that is not a number or runs past the body) gets our
400 (silence if it lacks the headers to copy), and anything sippy raises while
handling it is logged and counted, never raised: a malformed message gets a 400 or
silence.
"""

from __future__ import annotations

import logging
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sippy.CCEvents import (
    CCEventConnect,
    CCEventDisconnect,
    CCEventFail,
    CCEventPreConnect,
    CCEventRedirect,
    CCEventRing,
    CCEventTry,
    CCEventUpdate,
)
from sippy.MsgBody import MsgBody
from sippy.SipAddress import SipAddress
from sippy.SipCallId import SipCallId
from sippy.SipConf import SipConf
from sippy.SipContact import SipContact
from sippy.SipGenericHF import SipGenericHF
from sippy.SipHeader import SipHeader
from sippy.SipTransactionManager import SipTransactionManager
from sippy.SipURL import SipURL
from sippy.Time.Timeout import Timeout
from sippy.UA import UA
from sippy.Udp_server import Udp_server, Udp_server_opts

from callcenter.telephony.sip.b2bua_interface import (
    BUSY_CODES,
    Answered,
    Busy,
    Failed,
    HungUp,
    IncomingCall,
    LegEvent,
    NoAnswer,
    Ringing,
    SipSettings,
    SipUri,
)
from callcenter.telephony.sip.registrar import RegisterRequest, Registrar
from callcenter.telephony.sip.thread import SipLog

log = logging.getLogger("callcenter.telephony.sip")

Emit = Callable[[IncomingCall | LegEvent], None]

_TRANSPORT_PARAM = re.compile(rb";transport=([A-Za-z]+)", re.IGNORECASE)


def normalise_datagram(data: bytes) -> str | None:
    """The datagram as text with lower-case URI transports; None when it is not UTF-8."""
    head, sep, body = data.partition(b"\r\n\r\n")
    head = _TRANSPORT_PARAM.sub(lambda m: b";transport=" + m.group(1).lower(), head)
    try:
        return (head + sep + body).decode("utf-8")
    except UnicodeDecodeError:
        return None


_REQUEST_LINE = re.compile(r"^[A-Za-z]+ \S+ SIP/2\.0$")
_COPIED = ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq")


def malformed(text: str) -> str | None:
    """Why sippy must not see this message (it would take it), or None.

    sippy accepts a request of another SIP version and a Content-Length that is
    negative or longer than the body (RFC 3261 18.3: a request whose body is shorter
    than its Content-Length gets 400; a longer body is cut, which sippy does).
    """
    head, _, body = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    if not lines[0].startswith("SIP/") and not _REQUEST_LINE.match(lines[0]):
        return f"bad request line {lines[0][:60]!r}"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() in ("content-length", "l"):
            value = value.strip()
            if not value.isdigit():
                return f"bad Content-Length {value[:20]!r}"
            if int(value) > len(body.encode()):
                return f"Content-Length {value} past the body's {len(body.encode())} bytes"
    return None


def bad_request(text: str) -> str | None:
    """The 400 answering request `text`, or None when it is a response or lacks the
    headers a response copies (then it gets silence)."""
    lines = text.partition("\r\n\r\n")[0].split("\r\n")
    if lines[0].startswith("SIP/"):
        return None
    copied = [line for line in lines[1:] if line.partition(":")[0].strip().lower() in _COPIED]
    names = {line.partition(":")[0].strip().lower() for line in copied}
    if not all(names & set(pair) for pair in (("via", "v"), ("from", "f"), ("to", "t"),
                                               ("call-id", "i"), ("cseq",))):
        return None
    return "\r\n".join(["SIP/2.0 400 Bad Request", *copied, "Content-Length: 0", "", ""])


def register_request(req: Any) -> RegisterRequest:
    """The registrar's view of a sippy REGISTER: its raw header values."""

    def raw(name: str) -> tuple[str, ...]:
        return tuple(str(h.body) for h in req.getHFs(name))

    expires = raw("expires")
    return RegisterRequest(
        request_uri=str(req.getRURI()), to=raw("to")[0], contacts=raw("contact"),
        expires=expires[0] if expires else None, authorization=raw("authorization"),
        call_id=str(req.getHFBody("call-id")), cseq=req.getHFBody("cseq").getCSeqNum())


def reason_phrase(text: str) -> str:
    """`text` fit for a status line: printable ASCII, at most 200 characters."""
    return re.sub(r"[^\x20-\x7e]", "?", text)[:200]


class _RawHeader(SipGenericHF):  # type: ignore[misc]
    """A header sippy sends as we wrote it, under its canonical name."""

    def __init__(self, name: str, value: str) -> None:
        super().__init__(value, name)
        self.parsed = True
        self._name = name

    def getCanName(self, name: str, compact: bool = False) -> str:
        return self._name


def _our_contact() -> Any:
    """Our Contact: this socket's address (filled in on sending), no display name.

    sippy's default says `Anonymous <sip:...>`, which some peers (sipp's
    `[next_url]`) copy into the Request-URI of their BYE.
    """
    url = SipURL(host=SipConf.my_address, port=SipConf.my_port, transport=SipConf.my_transport)
    return SipContact(address=SipAddress(url=url, hadbrace=True))


def _new_ua(config: dict[str, Any], on_event: Callable[..., None], **kwargs: Any) -> Any:
    ua = UA(config, on_event, **kwargs)
    ua.lContact = _our_contact()
    return ua


class _OneSenderOpts(Udp_server_opts):  # type: ignore[misc]
    """One sender and one receiver thread per socket: more reorder 180 and 200."""

    nworkers = 1


class _GuardedTransactions(SipTransactionManager):  # type: ignore[misc]
    """sippy's transaction manager that survives whatever arrives on the socket."""

    model_udp_server = (Udp_server, _OneSenderOpts)
    dropped = 0

    def handleIncoming(self, data_in: bytes, ra: Any, server: Any, rtime: Any) -> None:
        text = normalise_datagram(data_in) if isinstance(data_in, bytes) else data_in
        if text is None:
            self.dropped += 1
            log.info("dropped a non-UTF-8 datagram from %s", ra)
            return
        why = malformed(text) if text.strip() else None
        if why is not None:
            self.dropped += 1
            log.info("refused a malformed message from %s: %s", ra, why)
            answer = bad_request(text)
            if answer is not None:
                self.transmitData(server, answer, ra.address)
            return
        try:
            super().handleIncoming(text, ra, server, rtime)
        except Exception as error:
            self.dropped += 1
            log.warning("dropped a message from %s that sippy could not handle: %r", ra, error)
            log.debug("the message sippy could not handle", exc_info=True)

    def bound_address(self) -> tuple[str, int]:
        """The (host, port) the socket is bound to."""
        server = next(iter(self.l4r.cache_l2s.values()))
        host, port = server.uopts.laddress
        return str(host), int(port)


@dataclass(slots=True, eq=False)
class _Leg:
    ua: Any
    inbound: bool
    source: tuple[str, int] = ("", 0)
    entry: str = ""
    answered: bool = False
    rang: bool = False
    timer: Any = None


class SipStack:
    """The B2BUA's sippy half. Construct anywhere; call every method on the reactor thread."""

    def __init__(self, settings: SipSettings, emit: Emit, *, registrar: Registrar | None = None,
                 now: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._emit = emit
        self._registrar = registrar
        self._now = now
        self._legs: dict[str, _Leg] = {}
        self._config: dict[str, Any] = {}
        self._tm: _GuardedTransactions | None = None

    @property
    def dropped(self) -> int:
        """Datagrams dropped unparsed since `open` (not UTF-8, or sippy raised on them)."""
        return 0 if self._tm is None else self._tm.dropped

    def open(self) -> tuple[str, int]:
        """Bind the UDP socket and take requests; returns the bound address."""
        self._config = {
            "_sip_address": self._settings.host,
            "_sip_port": self._settings.port,
            "_sip_logger": SipLog(),
        }
        with warnings.catch_warnings():
            # sippy probes for IPv6 with a socket it never closes.
            warnings.simplefilter("ignore", ResourceWarning)
            self._tm = _GuardedTransactions(self._config, self._recv_request)
        self._config["_sip_tm"] = self._tm
        return self._tm.bound_address()

    def close(self) -> None:
        """Hang up every leg, then close the socket (queued messages go out first)."""
        for call_id in list(self._legs):
            self.hangup(call_id)
        if self._tm is not None:
            self._tm.shutdown()
            self._tm = None

    # -- requests outside a dialog -------------------------------------------------

    def _recv_request(self, req: Any, sip_t: Any) -> Any:
        if req.getMethod() == "REGISTER":
            return self._register(req, sip_t)
        if req.getHFBody("to").getTag() is not None:
            return (req.genResponse(481, "Call Leg/Transaction Does Not Exist"), None, None)
        method = req.getMethod()
        if method == "OPTIONS":
            return (req.genResponse(200, "OK"), None, None)
        if method != "INVITE":
            return (req.genResponse(501, "Not Implemented"), None, None)
        host, port = req.getSource()
        if not self._settings.allows_source(host):
            log.info("INVITE from %s:%s refused: not a trunk", host, port)
            return (req.genResponse(403, "Forbidden"), None, None)
        to_number = req.getRURI().username or ""
        entry = self._settings.dids.get(to_number)
        if entry is None:
            log.info("INVITE to %r refused: no such number", to_number)
            return (req.genResponse(404, "Not Found"), None, None)
        call_id = str(req.getHFBody("call-id"))
        if call_id in self._legs:
            return (req.genResponse(482, "Loop Detected"), None, None)
        ua = _new_ua(self._config, partial(self._on_ua_event, call_id))
        leg = _Leg(ua, inbound=True, source=(host, port), entry=entry)
        self._legs[call_id] = leg
        try:
            return leg.ua.recvRequest(req, sip_t)
        except Exception as error:
            self._legs.pop(call_id, None)
            log.warning("INVITE %s refused 400: %r", call_id, error)
            return (req.genResponse(400, "Bad Request"), None, None)

    def _register(self, req: Any, sip_t: Any) -> Any:
        """The registrar's answer to a REGISTER (501 without a registrar)."""
        if self._registrar is None:
            return (req.genResponse(501, "Not Implemented"), None, None)
        host, port = req.getSource()
        source = f"{host}:{port}"
        try:
            req.getHFBody("to").getTag()  # sippy must read the To it answers with a tag
            request = register_request(req)
        except Exception as error:
            log.info("REGISTER from %s refused 400: %r", source, error)
            answer = bad_request(str(req))
            if answer is not None and self._tm is not None:
                status = reason_phrase(f"Bad Request (a header sippy cannot read: {error})")
                answer = answer.replace("400 Bad Request", f"400 {status}", 1)
                self._tm.transmitData(sip_t.userv, answer, (host, port))
            return None
        try:
            result = self._registrar.register(request, self._now())
        except Exception:  # a bug of ours: the phone gets 500, the thread lives on
            log.exception("the registrar failed on a REGISTER from %s", source)
            return (req.genResponse(500, "Server Internal Error"), None, None)
        log.info("REGISTER from %s: %d %s", source, result.code, result.note)
        resp = req.genResponse(result.code, reason_phrase(result.reason))
        for name, value in result.headers:
            resp.appendHeader(SipHeader(name=name.lower(), body=_RawHeader(name, value)))
        return (resp, None, None)

    # -- events from sippy's UAs ---------------------------------------------------

    def _on_ua_event(self, call_id: str, event: Any, ua: Any) -> None:
        leg = self._legs.get(call_id)
        if leg is None or leg.ua is not ua:
            return
        if isinstance(event, CCEventUpdate):
            # Re-INVITEs (hold, codec change) come with the media layer; refuse
            # them without ending the call.
            ua.recvEvent(CCEventFail((488, "Not Acceptable Here")))
            return
        if leg.inbound:
            self._on_inbound_event(call_id, leg, event)
        else:
            self._on_outbound_event(call_id, leg, event)

    def _on_inbound_event(self, call_id: str, leg: _Leg, event: Any) -> None:
        if isinstance(event, CCEventTry):
            _cid, from_number, to_number, body, _auth, _name = event.getData()
            sdp = None if body is None else str(body)
            call = IncomingCall(call_id, from_number or "", to_number or "", leg.source, sdp,
                                leg.entry)
            self._emit(call)
        elif isinstance(event, CCEventDisconnect | CCEventFail):
            self._end(call_id, HungUp(call_id, remote=True))

    def _on_outbound_event(self, call_id: str, leg: _Leg, event: Any) -> None:
        if isinstance(event, CCEventRing):
            if not leg.rang and not leg.answered:
                leg.rang = True
                self._emit(Ringing(call_id))
        elif isinstance(event, CCEventConnect | CCEventPreConnect):
            if not leg.answered:
                leg.answered = True
                self._cancel_timer(leg)
                body = event.getData()[2]
                self._emit(Answered(call_id, None if body is None else str(body)))
        elif isinstance(event, CCEventFail | CCEventRedirect):
            code, reason = event.getData()[:2]
            outcome: LegEvent = (
                Busy(call_id, code) if code in BUSY_CODES else Failed(call_id, code, reason)
            )
            self._end(call_id, outcome)
        elif isinstance(event, CCEventDisconnect):
            outcome = (
                HungUp(call_id, remote=True) if leg.answered else Failed(call_id, 0, "disconnected")
            )
            self._end(call_id, outcome)

    def _end(self, call_id: str, outcome: LegEvent) -> None:
        leg = self._legs.pop(call_id, None)
        if leg is not None:
            self._cancel_timer(leg)
            self._emit(outcome)

    @staticmethod
    def _cancel_timer(leg: _Leg) -> None:
        if leg.timer is not None:
            leg.timer.cancel()
            leg.timer = None

    # -- the controller's decisions --------------------------------------------------

    def _pending_inbound(self, call_id: str) -> _Leg | None:
        leg = self._legs.get(call_id)
        if leg is None or not leg.inbound or leg.answered:
            return None
        return leg

    def ring(self, call_id: str) -> None:
        """180 Ringing on an inbound leg not yet answered."""
        leg = self._pending_inbound(call_id)
        if leg is not None:
            leg.ua.recvEvent(CCEventRing((180, "Ringing", None)))

    def answer(self, call_id: str, sdp: str | None) -> None:
        """200 OK with `sdp` on an inbound leg not yet answered."""
        leg = self._pending_inbound(call_id)
        if leg is not None:
            leg.answered = True
            body = None if sdp is None else MsgBody(sdp)
            leg.ua.recvEvent(CCEventConnect((200, "OK", body)))

    def reject(self, call_id: str, code: int, reason: str) -> None:
        """A final failure response on an inbound leg not yet answered."""
        leg = self._pending_inbound(call_id)
        if leg is not None:
            leg.ua.recvEvent(CCEventFail((code, reason)))
            self._end(call_id, HungUp(call_id, remote=False))

    def hangup(self, call_id: str) -> None:
        """End a leg: BYE when answered, CANCEL when still ringing out, 480 when unanswered in."""
        leg = self._legs.get(call_id)
        if leg is None:
            return
        if leg.inbound and not leg.answered:
            leg.ua.recvEvent(CCEventFail((480, "Temporarily Unavailable")))
        else:
            leg.ua.recvEvent(CCEventDisconnect())
        self._end(call_id, HungUp(call_id, remote=False))

    def originate(
        self, call_id: str, uri: SipUri, from_number: str, sdp: str | None, timeout: float
    ) -> None:
        """Send an INVITE to `uri`; NoAnswer and a CANCEL if not answered within `timeout` s."""
        on_event = partial(self._on_ua_event, call_id)
        ua = _new_ua(self._config, on_event, nh_address=(uri.host, uri.port))
        leg = _Leg(ua, inbound=False, source=(uri.host, uri.port))
        self._legs[call_id] = leg
        leg.timer = Timeout(self._no_answer, timeout, 1, call_id)
        body = None if sdp is None else MsgBody(sdp)
        try:
            ua.recvEvent(CCEventTry((SipCallId(call_id), from_number, uri.user, body, None, None)))
        except Exception as error:
            log.warning("INVITE to %s failed: %r", uri, error)
            self._end(call_id, Failed(call_id, 0, "could not send"))

    def _no_answer(self, call_id: str) -> None:
        leg = self._legs.get(call_id)
        if leg is None or leg.answered:
            return
        leg.timer = None
        leg.ua.recvEvent(CCEventDisconnect())
        self._end(call_id, NoAnswer(call_id))
