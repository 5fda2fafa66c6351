"""Agents whose phones register, and the registrar section, in the telephony config."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.telephony.sip.config import (
    TelephonyConfig,
    TelephonyConfigError,
    load_telephony_config,
)
from callcenter.telephony.sip.registrar import RegistrarSettings, SipAccount

FLOWS = "flows:\n  main:\n    nodes:\n      bye: { hangup: Goodbye. }\n"
BASE = "trunks: [127.0.0.1]\ndids: {'4940112233': main}\nflows: flows.yaml\n"


def load(tmp_path: Path, text: str, listen: str | None = None) -> TelephonyConfig:
    (tmp_path / "flows.yaml").write_text(FLOWS)
    path = tmp_path / "telephony.yaml"
    path.write_text(BASE + text)
    return load_telephony_config(path, listen=listen)


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(TelephonyConfigError) as info:
        load(tmp_path, text)
    return str(info.value)


def test_an_account_entry_is_an_agent_who_registers(tmp_path: Path) -> None:
    """`{user, password}` makes an account and no static contact."""
    loaded = load(tmp_path, "agents: {a1: {user: '1001', password: s3cret}}\n")
    assert (loaded.accounts, loaded.agents) == ((SipAccount("a1", "1001", "s3cret"),), {})


def test_an_account_may_keep_a_static_contact_as_fallback(tmp_path: Path) -> None:
    """`contact:` beside the credentials is the static contact used when not registered."""
    loaded = load(tmp_path, "agents:\n  a1: {user: 1001, password: 1234,"
                            " contact: 'sip:1001@127.0.0.1:5070'}\n  a2: 'sip:a2@127.0.0.1'\n")
    assert loaded.agents == {"a1": "sip:1001@127.0.0.1:5070", "a2": "sip:a2@127.0.0.1"}
    assert [(a.agent_id, a.user, a.password) for a in loaded.accounts] == [("a1", "1001", "1234")]


def test_the_password_stays_out_of_the_config_repr(tmp_path: Path) -> None:
    """A config printed or logged does not show a phone's password."""
    loaded = load(tmp_path, "agents: {a1: {user: '1001', password: never-printed}}\n")
    assert "never-printed" not in repr(loaded)


@pytest.mark.parametrize(("text", "named"), [
    ("agents: {a1: {user: '1001'}}\n", "agents.a1.password: expected a non-empty password"),
    ("agents: {a1: {password: x}}\n", "agents.a1.user: expected a SIP user name"),
    ("agents: {a1: {user: '10 01', password: x}}\n", "agents.a1.user: expected a SIP user"),
    ("agents: {a1: {user: '1001', password: x, pass: y}}\n", "agents.a1.pass: unknown key"),
    ("agents: {a1: {user: '1001', password: x, contact: 'tel:1'}}\n",
     "agents.a1.contact: not a SIP URI"),
    ("agents: {a1: {user: '1001', password: x}, a2: {user: '1001', password: y}}\n",
     "agents.a2.user: user '1001' belongs to another agent"),
    ("agents: {a1: [sip:1001@127.0.0.1]}\n", "agents.a1: expected a SIP URI or {user"),
])
def test_a_bad_agent_entry_names_the_key(tmp_path: Path, text: str, named: str) -> None:
    """Each mistake in an agent's entry is a TelephonyConfigError naming the key."""
    assert named in error(tmp_path, text)


def test_the_realm_defaults_to_the_listen_host(tmp_path: Path) -> None:
    """Without a registrar section the realm is the host the B2BUA listens on."""
    loaded = load(tmp_path, "", listen="192.0.2.5:5060")
    assert loaded.registrar == RegistrarSettings(realm="192.0.2.5")


def test_the_registrar_section_is_read(tmp_path: Path) -> None:
    """realm, expiry limits, nonce lifetime and algorithms come from `registrar:`."""
    loaded = load(tmp_path, "registrar: {realm: pbx.example, min_expires: 30, max_expires: 600,"
                            " default_expires: 300, nonce_ttl: 60, algorithms: [SHA-256]}\n")
    assert loaded.registrar == RegistrarSettings("pbx.example", 30, 600, 300, 60, ("SHA-256",))


@pytest.mark.parametrize(("text", "named"), [
    ("registrar: {realms: x}\n", "registrar.realms: unknown key"),
    ("registrar: {min_expires: 600, max_expires: 60}\n", "registrar: need 0 < min_expires"),
    ("registrar: {min_expires: soon}\n", "registrar.min_expires: expected a whole number"),
    ("registrar: {algorithms: [MD5-sess]}\n", "registrar.algorithms: expected a list among"),
    ("registrar: {realm: 'a\"b'}\n", "registrar.realm: expected a name without quotes"),
])
def test_a_bad_registrar_setting_names_the_key(tmp_path: Path, text: str, named: str) -> None:
    """Each mistake in `registrar:` is a TelephonyConfigError naming the key."""
    assert named in error(tmp_path, text)
