"""Digest authentication: the RFCs' worked examples, the Authorization parser, the nonces."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.telephony.sip.digest import (
    DigestCredentials,
    DigestParseError,
    NonceSigner,
    NonceState,
    challenge,
    digest_response,
    format_authorization,
    parse_authorization,
)

RFC7616_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
RFC7616_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
SECRET = b"0123456789abcdef0123456789abcdef"


def test_rfc2617_worked_example() -> None:
    """Mufasa / "Circle Of Life" (RFC 2617 3.5) gives the RFC's response."""
    response = digest_response("MD5", "Mufasa", "testrealm@host.com", "Circle Of Life", "GET",
                               "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                               "00000001", "0a4f113b", "auth")
    assert response == "6629fae49393a05397450978507c4ef1"


def test_rfc7616_md5_example() -> None:
    """RFC 7616 3.9.1's MD5 response for Mufasa / "Circle of Life"."""
    response = digest_response("MD5", "Mufasa", "http-auth@example.org", "Circle of Life",
                               "GET", "/dir/index.html", RFC7616_NONCE, "00000001",
                               RFC7616_CNONCE, "auth")
    assert response == "8ca523f5e9506fed4657c9700eebdbec"


def test_rfc7616_sha256_example() -> None:
    """RFC 7616 3.9.1's SHA-256 response for the same request."""
    response = digest_response("SHA-256", "Mufasa", "http-auth@example.org", "Circle of Life",
                               "GET", "/dir/index.html", RFC7616_NONCE, "00000001",
                               RFC7616_CNONCE, "auth")
    assert response == "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"


def test_an_unknown_algorithm_is_refused_by_name() -> None:
    """Computing with an algorithm we do not speak raises ValueError naming it."""
    with pytest.raises(ValueError, match="MD5-sess"):
        digest_response("MD5-sess", "u", "r", "p", "REGISTER", "sip:x", "n", "1", "c", "auth")


def test_the_rfc2617_header_parses() -> None:
    """RFC 2617's example Authorization header yields its parameters, quotes removed."""
    creds = parse_authorization(
        'Digest username="Mufasa",\r\n realm="testrealm@host.com",'
        ' nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth,'
        ' nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1",'
        ' opaque="5ccc069c403ebaf9f0171e9517f40e41"'.replace("\r\n", ""))
    assert creds == DigestCredentials(
        "Mufasa", "testrealm@host.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "/dir/index.html",
        "6629fae49393a05397450978507c4ef1", "MD5", "auth", "00000001", "0a4f113b",
        "5ccc069c403ebaf9f0171e9517f40e41")


def test_escaped_quotes_in_a_value_are_unescaped() -> None:
    """A quoted-string's backslash escapes are undone (RFC 3261 25.1)."""
    creds = parse_authorization(r'Digest username="a\"b", realm="r", nonce="n", uri="u", '
                                'response="00"')
    assert creds.username == 'a"b'


@pytest.mark.parametrize(("header", "problem"), [
    ('Basic dXNlcjpwYXNz', "not a Digest credential"),
    ('Digest realm="r", nonce="n", uri="u", response="0"', "missing username"),
    ('Digest username="u", realm="r", nonce="n", uri="u", response="0", qop=auth',
     "qop without nc and cnonce"),
    ('Digest username="u" realm="r"', "expected ','"),
    ('Digest username="u', "not closed"),
    ('Digest username=', "has no value"),
    ('Digest username="u", username="v"', "given twice"),
])
def test_a_bad_header_names_its_problem(header: str, problem: str) -> None:
    """Each malformed Authorization raises DigestParseError saying what is wrong."""
    with pytest.raises(DigestParseError, match=problem):
        parse_authorization(header)


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_the_parse_error(text: str) -> None:
    """Arbitrary text never raises anything but DigestParseError."""
    with contextlib.suppress(DigestParseError):
        parse_authorization(text)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
               max_size=60).map(lambda t: "Digest " + t))
def test_digest_prefixed_text_parses_or_raises_the_parse_error(text: str) -> None:
    """Text after `Digest ` (the parser's deep end) never raises anything else either."""
    with contextlib.suppress(DigestParseError):
        parse_authorization(text)


_VALUE = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF,
                                        blacklist_categories=("Cs",)), max_size=30)
_TOKEN = st.from_regex(r"[0-9a-f]{8}", fullmatch=True)


@given(username=_VALUE, realm=_VALUE, nonce=_VALUE, uri=_VALUE, cnonce=_VALUE,
       response=st.from_regex(r"[0-9a-f]{32}", fullmatch=True), nc=_TOKEN,
       algorithm=st.sampled_from(["MD5", "SHA-256"]))
def test_a_formatted_header_parses_back(username: str, realm: str, nonce: str, uri: str,
                                         cnonce: str, response: str, nc: str,
                                         algorithm: str) -> None:
    """Credentials written as a header (quotes and backslashes escaped) parse back equal."""
    creds = DigestCredentials(username, realm, nonce, uri, response, algorithm, "auth", nc,
                              cnonce)
    assert parse_authorization(format_authorization(creds)) == creds


def test_the_challenge_names_realm_algorithm_and_qop() -> None:
    """A WWW-Authenticate value carries realm, nonce, algorithm and qop="auth" (and stale)."""
    value = challenge("pbx", "n1", "SHA-256", stale=True)
    assert value == 'Digest realm="pbx", nonce="n1", algorithm=SHA-256, qop="auth", stale=true'


def test_a_nonce_is_valid_until_its_ttl() -> None:
    """A nonce checks VALID up to `ttl` seconds after issue, STALE after."""
    signer = NonceSigner(SECRET, "pbx", ttl=300)
    nonce = signer.issue(1000.0)
    assert [signer.check(nonce, t) for t in (1000.0, 1300.0, 1301.0)] == [
        NonceState.VALID, NonceState.VALID, NonceState.STALE]


def test_a_nonce_from_another_secret_or_realm_is_foreign() -> None:
    """Another process's (secret's) or realm's nonce is not ours."""
    nonce = NonceSigner(SECRET, "pbx", ttl=300).issue(1000.0)
    assert NonceSigner(SECRET[::-1], "pbx", ttl=300).check(nonce, 1000.0) is NonceState.FOREIGN
    assert NonceSigner(SECRET, "other", ttl=300).check(nonce, 1000.0) is NonceState.FOREIGN


def test_a_nonce_with_a_changed_time_is_foreign() -> None:
    """Moving a nonce's timestamp forward breaks its signature."""
    signer = NonceSigner(SECRET, "pbx", ttl=300)
    stamp, _, mac = signer.issue(1000.0).partition(".")
    assert signer.check(f"{int(stamp, 16) + 600:x}.{mac}", 1700.0) is NonceState.FOREIGN


@given(st.text(max_size=80))
def test_any_text_as_a_nonce_is_checked_without_error(text: str) -> None:
    """Garbage nonces are FOREIGN, never an exception."""
    assert NonceSigner(SECRET, "pbx", ttl=300).check(text, 1000.0) is NonceState.FOREIGN
