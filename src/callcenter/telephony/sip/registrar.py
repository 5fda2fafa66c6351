"""The registrar of agent phones (RFC 3261 section 10.3) with Digest authentication: pure.

    registrar = Registrar([SipAccount("early-1", "1001", "secret")],
                          RegistrarSettings(realm="pbx.example"))
    answer = registrar.register(RegisterRequest(request_uri=..., to=..., contacts=(...),
                                                expires="300", authorization=(...)), now)
    registrar.contact("early-1", now)          # the newest binding's URI, or None

A REGISTER comes in as plain strings (the raw header values) and leaves as a
`RegisterResponse` (code, reason, headers); the SIP stack only carries them. Time
is the `now` of each call, so bindings expire by themselves and tests pass a number.

| the REGISTER | answer |
|---|---|
| a header we cannot read (To, Contact, Expires, Authorization) | 400 naming it |
| no Authorization, a realm or nonce not ours, an algorithm not offered | 401, challenges |
| our nonce, expired, with the right response | 401 with `stale=true` |
| an unknown user, or the wrong response | 403 (the same: no user enumeration) |
| a To user other than the authenticated one | 403 |
| a binding's expiry below `min_expires` (not 0) | 423 with `Min-Expires` |
| a Call-ID seen with a CSeq not higher (RFC 3261 10.3 step 7) | 500 |
| otherwise | 200 listing the user's bindings with their remaining seconds |

An expiry is the Contact's `expires` parameter, else the Expires header, else
`default_expires`; above `max_expires` it is cut to it. `Expires: 0` removes that
binding, `Contact: *` with `Expires: 0` all of the user's; a REGISTER without
Contact asks for the list. Calls may come from any thread: the bindings are
behind a lock. Passwords never appear in a repr, a reason or a note.
"""

from __future__ import annotations

import math
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from callcenter.telephony.sip.b2bua_interface import SipUri
from callcenter.telephony.sip.digest import (
    ALGORITHMS,
    DigestCredentials,
    DigestParseError,
    NonceSigner,
    NonceState,
    challenge,
    digest_response,
    parse_authorization,
)


@dataclass(frozen=True, slots=True)
class SipAccount:
    """The phone account of one agent: the digest user name and password."""

    agent_id: str
    user: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class RegistrarSettings:
    """Realm and limits of the registrar."""

    realm: str = "callcenter"
    min_expires: int = 60
    """Shorter (non-zero) expiries get 423 Interval Too Brief."""
    max_expires: int = 3600
    """Longer expiries are cut to this."""
    default_expires: int = 3600
    """The expiry of a Contact with no `expires` parameter and no Expires header."""
    nonce_ttl: int = 300
    """Seconds a nonce is good for; an older one gets 401 with stale=true."""
    algorithms: tuple[str, ...] = ALGORITHMS
    """Digest algorithms challenged, most preferred first."""

    def __post_init__(self) -> None:
        if not 0 < self.min_expires <= self.max_expires:
            raise ValueError("RegistrarSettings: need 0 < min_expires <= max_expires, got "
                             f"{self.min_expires} and {self.max_expires}")
        if not self.min_expires <= self.default_expires <= self.max_expires:
            raise ValueError("RegistrarSettings: default_expires must lie within "
                             f"[min_expires, max_expires], got {self.default_expires}")
        if self.nonce_ttl <= 0:
            raise ValueError(f"RegistrarSettings: nonce_ttl must be positive: {self.nonce_ttl}")
        unknown = [a for a in self.algorithms if a not in ALGORITHMS]
        if unknown or not self.algorithms:
            raise ValueError(f"RegistrarSettings: algorithms must be among {list(ALGORITHMS)}, "
                             f"got {list(self.algorithms)}")


@dataclass(frozen=True, slots=True)
class RegisterRequest:
    """A REGISTER as raw header values (one entry per header line)."""

    request_uri: str
    to: str
    contacts: tuple[str, ...] = ()
    expires: str | None = None
    authorization: tuple[str, ...] = ()
    call_id: str = ""
    cseq: int = 0


@dataclass(frozen=True, slots=True)
class RegisterResponse:
    """The answer: status, reason phrase, extra headers, and a note for the log."""

    code: int
    reason: str
    headers: tuple[tuple[str, str], ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Binding:
    """One registered contact of a user."""

    uri: str
    expires_at: float
    call_id: str
    cseq: int
    order: int
    """Larger is newer (registered or refreshed later)."""


class RegistrarError(ValueError):
    """A REGISTER we cannot read; the message names the header and the problem."""


class Registrar:
    """Bindings of agents' phones, kept by authenticated REGISTERs (see the module doc)."""

    def __init__(self, accounts: Iterable[SipAccount], settings: RegistrarSettings,
                 *, secret: bytes | None = None) -> None:
        self.settings = settings
        self._accounts: dict[str, SipAccount] = {}
        self._users: dict[str, str] = {}
        for account in accounts:
            if account.user in self._accounts:
                raise ValueError(f"Registrar: user {account.user!r} is given twice")
            self._accounts[account.user] = account
            self._users[account.agent_id] = account.user
        self._nonces = NonceSigner(secret if secret is not None else secrets.token_bytes(32),
                                   settings.realm, settings.nonce_ttl)
        self._bindings: dict[str, tuple[Binding, ...]] = {}
        self._dummy_password = secrets.token_hex(16)
        """Checked for unknown users, so that they cost what a known user does."""
        self._order = 0
        self._lock = threading.Lock()

    # -- queries -----------------------------------------------------------------------

    def bindings(self, agent_id: str, now: float) -> tuple[Binding, ...]:
        """The agent's live bindings at `now`, oldest first."""
        user = self._users.get(agent_id)
        with self._lock:
            found = self._bindings.get(user, ()) if user is not None else ()
        return tuple(sorted((b for b in found if b.expires_at > now), key=lambda b: b.order))

    def contact(self, agent_id: str, now: float) -> str | None:
        """The URI of the agent's newest live binding, or None."""
        live = self.bindings(agent_id, now)
        return live[-1].uri if live else None

    def registered(self, agent_id: str, now: float) -> bool:
        """True when the agent's phone has a live binding at `now`."""
        return bool(self.bindings(agent_id, now))

    # -- REGISTER ----------------------------------------------------------------------

    def register(self, request: RegisterRequest, now: float) -> RegisterResponse:
        """Answer one REGISTER received at `now` (see the module doc's table)."""
        try:
            to_user = to_user_of(request.to)
            contacts = [("*", None) if c == "*" else parse_contact(c)
                        for value in request.contacts for c in split_contacts(value)]
            header_expires = _expires(request.expires, "Expires")
            creds = [parse_authorization(a) for a in request.authorization]
        except (RegistrarError, DigestParseError) as exc:
            return RegisterResponse(400, f"Bad Request ({exc})", note=str(exc))
        ours = next((c for c in creds if c.realm == self.settings.realm), None)
        if ours is None:
            return self._challenge(now, "no credentials for our realm")
        refused = self._authenticate(ours, now)
        if refused is not None:
            return refused
        if to_user != ours.username:
            return RegisterResponse(403, "Forbidden",
                                    note=f"{ours.username!r} may not register {to_user!r}")
        return self._update(ours.username, contacts, header_expires, request, now)

    def _challenge(self, now: float, note: str, *, stale: bool = False) -> RegisterResponse:
        nonce = self._nonces.issue(now)
        headers = tuple(("WWW-Authenticate",
                         challenge(self.settings.realm, nonce, algorithm, stale=stale))
                        for algorithm in self.settings.algorithms)
        return RegisterResponse(401, "Unauthorized", headers, note=note)

    def _authenticate(self, creds: DigestCredentials, now: float) -> RegisterResponse | None:
        """None when `creds` prove the user; else the 400, 401 or 403 to send."""
        if creds.algorithm not in self.settings.algorithms:
            return self._challenge(now, f"algorithm {creds.algorithm!r} not offered")
        state = self._nonces.check(creds.nonce, now)
        if state is NonceState.FOREIGN:
            return self._challenge(now, "a nonce we did not issue (or from before a restart)")
        if creds.qop != "auth":
            why = f"Authorization: qop must be auth, got {creds.qop!r}"
            return RegisterResponse(400, f"Bad Request ({why})", note=why)
        account = self._accounts.get(creds.username)
        password = account.password if account is not None else self._dummy_password
        expected = digest_response(creds.algorithm, creds.username, creds.realm, password,
                                   "REGISTER", creds.uri, creds.nonce, creds.nc, creds.cnonce,
                                   creds.qop)
        right = secrets.compare_digest(expected, creds.response)
        if account is None or not right:
            why = "unknown user" if account is None else "wrong response (password)"
            return RegisterResponse(403, "Forbidden", note=f"{creds.username!r}: {why}")
        if state is NonceState.STALE:
            return self._challenge(now, "stale nonce", stale=True)
        return None

    def _update(self, user: str, contacts: list[tuple[str, int | None]],
                header_expires: int | None,
                request: RegisterRequest, now: float) -> RegisterResponse:
        with self._lock:
            current = {b.uri: b for b in self._bindings.get(user, ()) if b.expires_at > now}
            for binding in current.values():
                if binding.call_id == request.call_id and binding.cseq >= request.cseq:
                    return RegisterResponse(500, "Server Internal Error",
                                            (("Retry-After", "1"),),
                                            note="a CSeq not higher than the binding's")
            if ("*", None) in contacts:
                if len(contacts) != 1 or header_expires != 0:
                    why = "Contact: * needs Expires: 0 and no other Contact"
                    return RegisterResponse(400, f"Bad Request ({why})", note=why)
                current.clear()
            else:
                changed = self._changes(contacts, header_expires)
                if isinstance(changed, RegisterResponse):
                    return changed
                for uri, seconds in changed:
                    if seconds == 0:
                        current.pop(uri, None)
                        continue
                    self._order += 1
                    current[uri] = Binding(uri, now + seconds, request.call_id,
                                           request.cseq, self._order)
            self._bindings[user] = tuple(current.values())
            if not current:
                del self._bindings[user]
        listed = tuple(("Contact", f"<{b.uri}>;expires={max(1, math.ceil(b.expires_at - now))}")
                       for b in sorted(current.values(), key=lambda b: b.order))
        return RegisterResponse(200, "OK", listed, note=f"{user!r}: {len(current)} bindings")

    def _changes(self, contacts: list[tuple[str, int | None]],
                 header_expires: int | None) -> list[tuple[str, int]] | RegisterResponse:
        """Each contact's URI and expiry (0: remove), or the 423 refusing them all."""
        out = []
        for uri, param in contacts:
            seconds = param if param is not None else header_expires
            if seconds is None:
                seconds = self.settings.default_expires
            if 0 < seconds < self.settings.min_expires:
                return RegisterResponse(423, "Interval Too Brief",
                                        (("Min-Expires", str(self.settings.min_expires)),),
                                        note=f"expires {seconds} for {uri}")
            out.append((uri, min(seconds, self.settings.max_expires)))
        return out


# -- header parsing --------------------------------------------------------------------

_NAME_ADDR = re.compile(r'^\s*(?:"(?:[^"\\]|\\.)*"|[^<"]*)\s*<([^>]*)>(.*)$', re.S)


def _address(value: str, header: str) -> tuple[str, str]:
    """The URI of a name-addr or addr-spec header value, and the header parameters after it."""
    text = value.strip()
    match = _NAME_ADDR.match(text)
    if match is not None:
        return match[1].strip(), match[2]
    if "<" in text or ">" in text or '"' in text:
        raise RegistrarError(f"{header}: unbalanced <> or quotes in {text[:60]!r}")
    uri, _, params = text.partition(";")
    return uri.strip(), ";" + params if params else ""


def to_user_of(value: str) -> str:
    """The user part of the To header's SIP URI (the account being registered)."""
    uri, _ = _address(value, "To")
    found = re.match(r"^sips?:([^@;?]+)@", uri, re.IGNORECASE)
    if found is None:
        raise RegistrarError(f"To: no user in {uri[:60]!r}")
    return found[1]


def split_contacts(value: str) -> list[str]:
    """One Contact header value split at the commas outside <> and quotes."""
    parts, depth, quoted, start, at = [], 0, False, 0, 0
    while at < len(value):
        char = value[at]
        if char == "\\" and quoted:
            at += 1
        elif char == '"':
            quoted = not quoted
        elif not quoted and char == "<":
            depth += 1
        elif not quoted and char == ">":
            depth = max(0, depth - 1)
        elif char == "," and not quoted and depth == 0:
            parts.append(value[start:at])
            start = at + 1
        at += 1
    parts.append(value[start:])
    out = [p.strip() for p in parts]
    if any(not p for p in out):
        raise RegistrarError(f"Contact: an empty entry in {value[:60]!r}")
    return out


def parse_contact(value: str) -> tuple[str, int | None]:
    """A Contact's URI (one we can call: sip, UDP) and its `expires` parameter, if any."""
    uri, params = _address(value, "Contact")
    try:
        SipUri.parse(uri)
    except ValueError as exc:
        raise RegistrarError(f"Contact: {exc}") from None
    expires = None
    for param in params.split(";"):
        name, _, raw = param.partition("=")
        if name.strip().lower() == "expires":
            expires = _expires(raw.strip().strip('"'), "Contact: expires")
    return uri, expires


def _expires(raw: str | None, what: str) -> int | None:
    """Seconds from a delta-seconds value; very long numbers are simply large."""
    if raw is None:
        return None
    text = raw.strip()
    if not text.isascii() or not text.isdigit():
        raise RegistrarError(f"{what}: not a number of seconds: {text[:20]!r}")
    return int(text) if len(text) <= 10 else 2**32
