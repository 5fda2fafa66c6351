"""The registrar on a fake clock: challenge, register, refresh, expire, unregister, refusals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from callcenter.telephony.sip.digest import (
    DigestCredentials,
    digest_response,
    format_authorization,
)
from callcenter.telephony.sip.registrar import (
    RegisterRequest,
    RegisterResponse,
    Registrar,
    RegistrarSettings,
    SipAccount,
)

SECRET = b"fedcba9876543210fedcba9876543210"
SETTINGS = RegistrarSettings(realm="pbx", min_expires=60, max_expires=3600,
                             default_expires=1800, nonce_ttl=300)
DESK = "sip:1001@127.0.0.1:5070"
SOFTPHONE = "sip:1001@127.0.0.1:5072;transport=udp"


def registrar() -> Registrar:
    return Registrar([SipAccount("agent-1", "1001", "s3cret"),
                      SipAccount("agent-2", "1002", "other")], SETTINGS, secret=SECRET)


def nonce_of(answer: RegisterResponse, algorithm: str = "MD5") -> str:
    """The nonce of `answer`'s challenge for `algorithm`."""
    for name, value in answer.headers:
        if name == "WWW-Authenticate" and f"algorithm={algorithm}" in value:
            found = re.search(r'nonce="([^"]+)"', value)
            assert found is not None
            return found[1]
    raise AssertionError(f"no {algorithm} challenge in {answer}")


@dataclass
class Phone:
    """A phone that answers challenges with its password (as sipp's -au/-ap does)."""

    registrar: Registrar
    user: str = "1001"
    password: str = "s3cret"
    to_user: str | None = None
    algorithm: str = "MD5"
    call_id: str = "reg-1@127.0.0.1"
    cseq: int = 0

    def request(self, contacts: Sequence[str] = (f"<{DESK}>",), expires: str | None = "300",
                authorization: Sequence[str] = ()) -> RegisterRequest:
        self.cseq += 1
        to = f"<sip:{self.to_user or self.user}@pbx>"
        return RegisterRequest("sip:pbx", to, tuple(contacts), expires, tuple(authorization),
                               self.call_id, self.cseq)

    def authorization(self, nonce: str) -> str:
        response = digest_response(self.algorithm, self.user, "pbx", self.password,
                                   "REGISTER", "sip:pbx", nonce, "00000001", "c0ffee", "auth")
        return format_authorization(DigestCredentials(
            self.user, "pbx", nonce, "sip:pbx", response, self.algorithm, "auth", "00000001",
            "c0ffee"))

    def register(self, now: float, contacts: Sequence[str] = (f"<{DESK}>",),
                 expires: str | None = "300", nonce: str | None = None) -> RegisterResponse:
        """REGISTER, and on a 401 again with credentials (or with `nonce` straight away)."""
        if nonce is None:
            first = self.registrar.register(self.request(contacts, expires), now)
            if first.code != 401:
                return first
            nonce = nonce_of(first, self.algorithm)
        return self.registrar.register(
            self.request(contacts, expires, [self.authorization(nonce)]), now)


def contacts_of(answer: RegisterResponse) -> list[str]:
    return [value for name, value in answer.headers if name == "Contact"]


def test_an_unauthenticated_register_is_challenged_per_algorithm() -> None:
    """No credentials: 401 with an MD5 and a SHA-256 challenge (qop=auth), nothing bound."""
    r = registrar()
    answer = r.register(Phone(r).request(), 0.0)
    algorithms = [re.search(r"algorithm=([\w-]+)", v)[1]  # type: ignore[index]
                  for n, v in answer.headers if n == "WWW-Authenticate"]
    assert (answer.code, algorithms, r.registered("agent-1", 0.0)) == (401, ["MD5", "SHA-256"],
                                                                       False)


def test_the_right_password_binds_the_contact() -> None:
    """An answered challenge gets 200 listing the contact and its expiry; offers go there."""
    r = registrar()
    answer = Phone(r).register(0.0)
    assert (answer.code, contacts_of(answer)) == (200, [f"<{DESK}>;expires=300"])
    assert r.contact("agent-1", 1.0) == DESK


def test_sha256_credentials_register() -> None:
    """A phone answering the SHA-256 challenge registers too."""
    r = registrar()
    assert Phone(r, algorithm="SHA-256").register(0.0).code == 200


def test_a_binding_expires_by_itself() -> None:
    """Past its expiry the binding is gone without any message."""
    r = registrar()
    Phone(r).register(0.0)
    assert (r.registered("agent-1", 299.0), r.registered("agent-1", 300.0)) == (True, False)


def test_a_refresh_extends_the_binding() -> None:
    """Registering the same contact again restarts its expiry from the refresh."""
    r = registrar()
    phone = Phone(r)
    phone.register(0.0)
    answer = phone.register(200.0)
    assert contacts_of(answer) == [f"<{DESK}>;expires=300"]
    assert r.contact("agent-1", 450.0) == DESK


def test_the_200_lists_every_binding_with_its_remaining_seconds() -> None:
    """A second contact is added; the 200 lists both, the older with what is left of it."""
    r = registrar()
    phone = Phone(r)
    phone.register(0.0)
    answer = phone.register(100.0, contacts=[f"<{SOFTPHONE}>"])
    assert contacts_of(answer) == [f"<{DESK}>;expires=200", f"<{SOFTPHONE}>;expires=300"]


def test_offers_go_to_the_newest_binding() -> None:
    """With two bindings the one registered (or refreshed) last is the contact."""
    r = registrar()
    phone = Phone(r)
    phone.register(0.0)
    phone.register(10.0, contacts=[f"<{SOFTPHONE}>"])
    first = r.contact("agent-1", 20.0)
    phone.register(30.0)
    assert (first, r.contact("agent-1", 40.0)) == (SOFTPHONE, DESK)


def test_expires_zero_unregisters_that_contact() -> None:
    """`Expires: 0` removes the contact named; another stays."""
    r = registrar()
    phone = Phone(r)
    phone.register(0.0, contacts=[f"<{DESK}>", f"<{SOFTPHONE}>"])
    answer = phone.register(10.0, contacts=[f"<{SOFTPHONE}>"], expires="0")
    assert contacts_of(answer) == [f"<{DESK}>;expires=290"]


def test_an_expires_parameter_wins_over_the_header() -> None:
    """A Contact's `expires=0` parameter removes it even with `Expires: 300`."""
    r = registrar()
    phone = Phone(r)
    phone.register(0.0)
    answer = phone.register(10.0, contacts=[f"<{DESK}>;expires=0"], expires="300")
    assert (answer.code, contacts_of(answer), r.registered("agent-1", 10.0)) == (200, [], False)


def test_contact_star_unregisters_everything() -> None:
    """`Contact: *` with `Expires: 0` removes all of the user's bindings."""
    r = registrar()
    phone = Phone(r)
    phone.register(0.0, contacts=[f"<{DESK}>", f"<{SOFTPHONE}>"])
    answer = phone.register(10.0, contacts=["*"], expires="0")
    assert (answer.code, contacts_of(answer), r.bindings("agent-1", 10.0)) == (200, [], ())


def test_contact_star_needs_expires_zero() -> None:
    """`Contact: *` with another expiry is a 400 saying so."""
    r = registrar()
    answer = Phone(r).register(0.0, contacts=["*"], expires="300")
    assert answer.code == 400 and "Expires: 0" in answer.reason


def test_a_register_without_contact_lists_the_bindings() -> None:
    """No Contact: the 200 lists the current bindings and changes nothing."""
    r = registrar()
    phone = Phone(r)
    phone.register(0.0)
    answer = phone.register(60.0, contacts=[], expires=None)
    assert contacts_of(answer) == [f"<{DESK}>;expires=240"]


def test_the_default_expiry_applies_without_header_or_parameter() -> None:
    """Neither Expires nor `expires=`: the binding lasts `default_expires`."""
    r = registrar()
    assert contacts_of(Phone(r).register(0.0, expires=None)) == [f"<{DESK}>;expires=1800"]


def test_too_brief_an_expiry_gets_423_with_min_expires() -> None:
    """An expiry under `min_expires` is refused 423 with Min-Expires; nothing is bound."""
    r = registrar()
    answer = Phone(r).register(0.0, expires="30")
    assert (answer.code, answer.headers) == (423, (("Min-Expires", "60"),))
    assert not r.registered("agent-1", 0.0)


def test_too_long_an_expiry_is_cut_to_the_maximum() -> None:
    """An expiry over `max_expires` is granted as `max_expires`."""
    r = registrar()
    assert contacts_of(Phone(r).register(0.0, expires="99999999999999")) == [
        f"<{DESK}>;expires=3600"]


def test_a_stale_nonce_with_the_right_password_gets_stale_true() -> None:
    """An expired nonce of ours with a right response: 401 stale=true; the new nonce works."""
    r = registrar()
    phone = Phone(r)
    old = nonce_of(r.register(phone.request(), 0.0))
    answer = phone.register(400.0, nonce=old)
    assert answer.code == 401 and all("stale=true" in v for _, v in answer.headers)
    assert phone.register(400.0, nonce=nonce_of(answer)).code == 200


def test_a_stale_nonce_with_a_wrong_password_is_forbidden() -> None:
    """stale=true is only for a right response: a wrong one with an old nonce is 403."""
    r = registrar()
    phone = Phone(r, password="guess")
    old = nonce_of(r.register(phone.request(), 0.0))
    assert phone.register(400.0, nonce=old).code == 403


def test_a_wrong_password_is_forbidden() -> None:
    """A wrong password gets 403 and binds nothing."""
    r = registrar()
    answer = Phone(r, password="guess").register(0.0)
    assert (answer.code, r.registered("agent-1", 0.0)) == (403, False)


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password() -> None:
    """No user enumeration: unknown user and wrong password look the same on the wire."""
    wrong = Phone(registrar(), password="guess").register(0.0)
    unknown = Phone(registrar(), user="9999").register(0.0)
    assert (unknown.code, unknown.reason, unknown.headers) == (
        wrong.code, wrong.reason, wrong.headers) == (403, "Forbidden", ())


def test_registering_another_users_address_is_forbidden() -> None:
    """Authenticated as 1001, a REGISTER whose To is 1002 gets 403; 1002 stays unbound."""
    r = registrar()
    answer = Phone(r, to_user="1002").register(0.0)
    assert (answer.code, r.registered("agent-2", 0.0)) == (403, False)


def test_a_nonce_of_another_process_is_challenged_again() -> None:
    """A nonce we did not issue (a restart) earns a fresh 401, not a 403."""
    other = Registrar([SipAccount("agent-1", "1001", "s3cret")], SETTINGS, secret=SECRET[::-1])
    nonce = nonce_of(other.register(Phone(other).request(), 0.0))
    r = registrar()
    answer = Phone(r).register(0.0, nonce=nonce)
    assert answer.code == 401 and "stale" not in answer.headers[0][1]


def test_an_older_cseq_of_the_same_call_id_is_refused() -> None:
    """RFC 3261 10.3 step 7: a CSeq not above the binding's, same Call-ID, gets 500."""
    r = registrar()
    phone = Phone(r)
    phone.register(0.0)
    phone.cseq = 0
    assert phone.register(10.0).code == 500


@pytest.mark.parametrize(("field", "value", "named"), [
    ("expires", "soon", "Expires: not a number"),
    ("contacts", ("<tel:+4940112233>",), "Contact: not a SIP URI"),
    ("contacts", ("<sip:1001@127.0.0.1;transport=tcp>",), "only UDP"),
    ("contacts", ('"Desk <sip:1001@127.0.0.1>',), "Contact: unbalanced"),
    ("to", "<sip:pbx>", "To: no user"),
    ("authorization", ("Basic Zm9vOmJhcg==",), "not a Digest credential"),
])
def test_a_malformed_register_gets_400_naming_the_problem(field: str, value: object,
                                                          named: str) -> None:
    """Each unreadable header is a 400 whose reason phrase names it."""
    request = Phone(registrar()).request()
    answer = registrar().register(replace(request, **{field: value}), 0.0)
    assert answer.code == 400 and named in answer.reason


_HEADER = st.text(max_size=60)


@given(to=_HEADER, contacts=st.lists(_HEADER, max_size=3), expires=st.none() | _HEADER,
       authorization=st.lists(_HEADER.map(lambda t: "Digest " + t) | _HEADER, max_size=2))
@settings(max_examples=300)
def test_any_register_gets_an_answer_never_an_exception(
        to: str, contacts: list[str], expires: str | None, authorization: list[str]) -> None:
    """Arbitrary header values always yield a SIP answer (400, 401, ...), never a raise."""
    request = RegisterRequest("sip:pbx", to, tuple(contacts), expires, tuple(authorization))
    assert registrar().register(request, 0.0).code in {200, 400, 401, 403, 423, 500}


class Bindings(RuleBasedStateMachine):
    """The registrar against a model: {contact: expires at}, under register, wait, unregister."""

    URIS = (DESK, SOFTPHONE, "sip:1001@127.0.0.1:5074")

    def __init__(self) -> None:
        super().__init__()
        self.registrar = registrar()
        self.phone = Phone(self.registrar)
        self.now = 0.0
        self.model: dict[str, float] = {}
        self.newest: list[str] = []

    def _live(self) -> dict[str, float]:
        return {u: t for u, t in self.model.items() if t > self.now}

    @rule(uri=st.sampled_from(URIS), expires=st.sampled_from([0, 30, 60, 300, 5000]))
    def register(self, uri: str, expires: int) -> None:
        answer = self.phone.register(self.now, contacts=[f"<{uri}>"], expires=str(expires))
        self.model = self._live()
        if 0 < expires < 60:
            assert answer.code == 423
            return
        assert answer.code == 200
        if expires == 0:
            self.model.pop(uri, None)
        else:
            self.model[uri] = self.now + min(expires, 3600)
            self.newest.append(uri)

    @rule()
    def unregister_all(self) -> None:
        assert self.phone.register(self.now, contacts=["*"], expires="0").code == 200
        self.model.clear()

    @rule(seconds=st.sampled_from([1.0, 59.0, 250.0, 1000.0, 4000.0]))
    def wait(self, seconds: float) -> None:
        self.now += seconds

    @invariant()
    def bindings_match_the_model(self) -> None:
        live = self._live()
        assert {b.uri for b in self.registrar.bindings("agent-1", self.now)} == set(live)
        newest = next((u for u in reversed(self.newest) if u in live), None)
        assert self.registrar.contact("agent-1", self.now) == newest


TestBindings = Bindings.TestCase
TestBindings.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
