"""HTTP Digest authentication for SIP (RFC 7616, RFC 2617; RFC 8760 for SIP): pure.

    creds = parse_authorization('Digest username="1001", realm="pbx", nonce="...", ...')
    ok = creds.response == digest_response(creds.algorithm, "1001", "pbx", password,
                                            "REGISTER", creds.uri, creds.nonce, creds.nc,
                                            creds.cnonce, creds.qop)

    nonces = NonceSigner(secret, ttl=300)
    nonce = nonces.issue(now)                  # stateless: a timestamp and its HMAC
    nonces.check(nonce, now)                   # VALID, STALE (expired) or FOREIGN

Only `qop=auth` is spoken (no `auth-int`, no `-sess` algorithms); MD5 and SHA-256.
`parse_authorization` raises nothing but `DigestParseError`, whose message names
what is wrong. Nonces carry no state on the server: `<issued at, hex>.<HMAC-SHA256
of it and the realm under a per-process secret>`; a restart (a new secret) makes
old nonces FOREIGN, which earns a fresh challenge, not a refusal.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import Enum

ALGORITHMS = ("MD5", "SHA-256")
"""The digest algorithms we speak. MD5 comes first: clients that answer the first
challenge and know only MD5 (sipp 3.6, many phones) still register."""

_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_SPACE = " \t"


class DigestParseError(ValueError):
    """An Authorization header that is not a Digest credential we can read; says why."""


@dataclass(frozen=True, slots=True)
class DigestCredentials:
    """The parameters of an `Authorization: Digest ...` header (RFC 7616 3.4)."""

    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    algorithm: str = "MD5"
    qop: str | None = None
    nc: str | None = None
    cnonce: str | None = None
    opaque: str | None = None


def digest_response(algorithm: str, username: str, realm: str, password: str, method: str,
                    uri: str, nonce: str, nc: str | None, cnonce: str | None,
                    qop: str | None) -> str:
    """The `response` value a client with `password` sends (RFC 7616 3.4.1; no qop: RFC
    2069's form). ValueError for an algorithm other than MD5 or SHA-256."""
    hash_ = _HASHES.get(algorithm.upper())
    if hash_ is None:
        raise ValueError(f"unsupported digest algorithm {algorithm!r}")

    def h(text: str) -> str:
        return hash_(text.encode("utf-8")).hexdigest()

    ha1 = h(f"{username}:{realm}:{password}")
    ha2 = h(f"{method}:{uri}")
    if qop is None:
        return h(f"{ha1}:{nonce}:{ha2}")
    return h(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")


def challenge(realm: str, nonce: str, algorithm: str, *, stale: bool = False) -> str:
    """The value of a `WWW-Authenticate` header offering `algorithm` with qop=auth."""
    stale_param = ", stale=true" if stale else ""
    return (f'Digest realm="{_escape(realm)}", nonce="{nonce}", algorithm={algorithm}, '
            f'qop="auth"{stale_param}')


def format_authorization(creds: DigestCredentials) -> str:
    """The header value a client would send for `creds` (the parser's inverse)."""
    params = [("username", creds.username, True), ("realm", creds.realm, True),
              ("nonce", creds.nonce, True), ("uri", creds.uri, True),
              ("response", creds.response, True), ("algorithm", creds.algorithm, False)]
    if creds.qop is not None:
        params.append(("qop", creds.qop, False))
    if creds.nc is not None:
        params.append(("nc", creds.nc, False))
    if creds.cnonce is not None:
        params.append(("cnonce", creds.cnonce, True))
    if creds.opaque is not None:
        params.append(("opaque", creds.opaque, True))
    return "Digest " + ", ".join(f'{k}="{_escape(v)}"' if quoted else f"{k}={v}"
                                 for k, v, quoted in params)


def parse_authorization(value: str) -> DigestCredentials:
    """Read an `Authorization` header value; DigestParseError names what is wrong."""
    text = value.strip(_SPACE)
    scheme = _TOKEN.match(text)
    if scheme is None or scheme.group().lower() != "digest":
        raise DigestParseError("Authorization: not a Digest credential")
    params = _params(text, scheme.end())
    missing = [k for k in ("username", "realm", "nonce", "uri", "response") if k not in params]
    if missing:
        raise DigestParseError(f"Authorization: missing {', '.join(missing)}")
    algorithm = params.get("algorithm", "MD5").upper()
    qop = params.get("qop")
    if qop is not None and (params.get("nc") is None or params.get("cnonce") is None):
        raise DigestParseError("Authorization: qop without nc and cnonce")
    return DigestCredentials(
        username=params["username"], realm=params["realm"], nonce=params["nonce"],
        uri=params["uri"], response=params["response"].lower(), algorithm=algorithm,
        qop=qop, nc=params.get("nc"), cnonce=params.get("cnonce"), opaque=params.get("opaque"))


def _params(text: str, at: int) -> dict[str, str]:
    """`name=value` pairs separated by commas from `at` on; names lower-cased."""
    params: dict[str, str] = {}
    n = len(text)
    while True:
        while at < n and text[at] in _SPACE + ",":
            at += 1
        if at >= n:
            return params
        name = _TOKEN.match(text, at)
        if name is None:
            raise DigestParseError(
                f"Authorization: expected a parameter name at {text[at:][:20]!r}")
        at = _skip_space(text, name.end())
        if at >= n or text[at] != "=":
            raise DigestParseError(f"Authorization: {name.group()!r} has no value")
        at = _skip_space(text, at + 1)
        if at < n and text[at] == '"':
            value, at = _quoted(text, at)
        else:
            token = _TOKEN.match(text, at)
            if token is None:
                raise DigestParseError(f"Authorization: {name.group()!r} has no value")
            value, at = token.group(), token.end()
        key = name.group().lower()
        if key in params:
            raise DigestParseError(f"Authorization: {key!r} given twice")
        params[key] = value
        at = _skip_space(text, at)
        if at < n and text[at] != ",":
            raise DigestParseError(f"Authorization: expected ',' after {key!r}")


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACE:
        at += 1
    return at


def _quoted(text: str, at: int) -> tuple[str, int]:
    """The quoted-string starting at `at` (its opening quote), unescaped, and where it ends."""
    out: list[str] = []
    at += 1
    while at < len(text):
        char = text[at]
        if char == '"':
            return "".join(out), at + 1
        if char == "\\" and at + 1 < len(text):
            at += 1
            char = text[at]
        out.append(char)
        at += 1
    raise DigestParseError("Authorization: a quoted value is not closed")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


class NonceState(Enum):
    """What `NonceSigner.check` found."""

    VALID = "valid"
    STALE = "stale"
    """Ours, but older than the TTL (or from the future): answer with stale=true."""
    FOREIGN = "foreign"
    """Not ours (forged, garbled, or from before a restart): a fresh challenge."""


class NonceSigner:
    """Stateless nonces: the issue time and an HMAC of it (and the realm) under `secret`."""

    def __init__(self, secret: bytes, realm: str, ttl: float) -> None:
        if len(secret) < 16:
            raise ValueError("NonceSigner: the secret needs at least 16 bytes")
        self._secret = secret
        self._realm = realm
        self.ttl = ttl

    def issue(self, now: float) -> str:
        """A nonce issued at `now`."""
        stamp = format(max(0, int(now)), "x")
        return f"{stamp}.{self._mac(stamp)}"

    def check(self, nonce: str, now: float) -> NonceState:
        """Whether `nonce` is ours and still fresh at `now`."""
        stamp, sep, mac = nonce.partition(".")
        if not sep or not stamp or len(stamp) > 16 or not hmac.compare_digest(
                mac.encode("utf-8", "replace"), self._mac(stamp).encode()):
            return NonceState.FOREIGN
        try:
            issued = int(stamp, 16)
        except ValueError:
            return NonceState.FOREIGN
        return NonceState.VALID if 0 <= now - issued <= self.ttl else NonceState.STALE

    def _mac(self, stamp: str) -> str:
        message = f"{stamp}:{self._realm}".encode("utf-8", "replace")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]
