"""The `sip` adapter's settings, from a YAML telephony config file.

    config = load_telephony_config("telephony.yaml", listen="127.0.0.1:5060")

```yaml
trunks: [127.0.0.1]                  # source addresses or networks that may send INVITEs
dids: {"4940112233": main}           # dialled number -> IVR flow id
agents:                              # agent id -> its phone: a static SIP contact, or
  early-1: sip:1001@192.0.2.7:5062   # an account that REGISTERs (digest auth), optionally
  late-1: {user: "1002", password: s3cret, contact: "sip:1002@192.0.2.8"}  # with a fallback
registrar: {realm: pbx.example, min_expires: 60, max_expires: 3600}  # all optional
flows: flows.yaml                    # IVR flows (relative to this file)
prompt_cache: prompt-cache           # text prompts rendered by espeak-ng (default)
music: hold.wav                      # hold music (default: a generated tone)
offer_slack: 5                       # seconds an agent's phone rings past the offer's end
dial: "sip:{number}@192.0.2.1:5060"  # outbound calls (the dialer): the trunk, {number} filled
dial_timeout: 30                     # seconds an outbound call rings before it is no-answer
rtpengine: {interface: 127.0.0.1, ng_port: 2223, port_min: 30000, port_max: 40000}
recording: {dir: recordings, calls: true, keep_pcap: false}  # calls and voicemails (WAV)
```

Relative paths are relative to the file. Every mistake raises `TelephonyConfigError`
naming the file and the key (`telephony.yaml: agents.early-1: not a SIP URI ...`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from callcenter.core.ivr_flow import Flow
from callcenter.flows import FlowFileError, load_flows
from callcenter.telephony.sip.b2bua_interface import SipSettings, SipUri
from callcenter.telephony.sip.digest import ALGORITHMS
from callcenter.telephony.sip.recorder import RecordingSettings
from callcenter.telephony.sip.registrar import RegistrarSettings, SipAccount
from callcenter.telephony.sip.rtpengine_process import RtpEngineSettings

_KEYS = frozenset({"listen", "trunks", "dids", "agents", "flows", "prompt_cache", "music",
                   "offer_slack", "dial", "dial_timeout", "rtpengine", "registrar", "recording"})
_RTPENGINE_KEYS = frozenset({"interface", "ng_port", "port_min", "port_max", "threads"})
_RECORDING_KEYS = frozenset({"dir", "calls", "keep_pcap"})
_AGENT_KEYS = frozenset({"user", "password", "contact"})
_REGISTRAR_KEYS = frozenset({"realm", "min_expires", "max_expires", "default_expires",
                             "nonce_ttl", "algorithms"})


class TelephonyConfigError(ValueError):
    """The telephony config is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class TelephonyConfig:
    """Everything the `sip` adapter needs: SIP, media, flows, agents' phones, prompts."""

    sip: SipSettings
    flows: Mapping[str, Flow]
    agents: Mapping[str, str] = field(default_factory=dict)
    """Agent id -> the static `sip:user@host[:port]` of its phone (a fallback for accounts)."""
    accounts: tuple[SipAccount, ...] = ()
    """Agents whose phones REGISTER: user name and password (never in a repr)."""
    registrar: RegistrarSettings = field(default_factory=RegistrarSettings)
    """Realm (default: the listen host) and expiry limits of the registrar."""
    rtpengine: RtpEngineSettings = field(default_factory=RtpEngineSettings)
    prompt_dir: Path = Path(".")
    """Where `{file: x.wav}` prompts are found (the flow file's folder)."""
    prompt_cache: Path = Path("prompt-cache")
    """Where text prompts are rendered to WAV, once per text and language."""
    music: Path | None = None
    """Hold music; None: a generated tone."""
    offer_slack: float = 5.0
    """Seconds an agent's phone may ring past the offer's end (the engine's timeout acts
    first and withdraws the offer, which cancels the leg)."""
    dial: str | None = None
    """Outbound calls go to this SIP URI with `{number}` replaced; None: no outbound calls."""
    dial_timeout: float = 30.0
    """Seconds an outbound call rings before it is given up as no-answer."""
    recording: RecordingSettings | None = None
    """Where call recordings and voicemails go; None: nothing is recorded (a flow's
    voicemail node then hangs up)."""


def parse_listen(text: str) -> tuple[str, int]:
    """`host:port` (the `--sip` option); ValueError names what is wrong."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


def load_telephony_config(file: str | Path, *, listen: str | None = None) -> TelephonyConfig:
    """Read and check the telephony config; `listen` (`host:port`) overrides its `listen`."""
    path = Path(file)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TelephonyConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise TelephonyConfigError(f"{path}: not YAML: {exc}") from None
    try:
        return _Reader(path).read(raw if raw is not None else {}, listen)
    except _Bad as bad:
        raise TelephonyConfigError(f"{path}: {bad.key}: {bad.message}") from None


class _Bad(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key, self.message = key, message


def _mapping(value: object, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(key, "expected a mapping")
    return {str(k): v for k, v in value.items()}


def _int(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(key, f"expected a whole number, got {value!r}")
    return value


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = path.parent

    def read(self, raw: object, listen: str | None) -> TelephonyConfig:
        data = _mapping(raw, "(top)")
        for key in sorted(set(data) - _KEYS):
            raise _Bad(key, f"unknown key (known: {', '.join(sorted(_KEYS))})")
        listen = listen if listen is not None else data.get("listen", "127.0.0.1:5060")
        try:
            host, port = parse_listen(str(listen))
        except ValueError as exc:
            raise _Bad("listen", str(exc)) from None
        flows = self._flows(data.get("flows"))
        dids = {str(k): str(v) for k, v in _mapping(data.get("dids", {}), "dids").items()}
        for did, flow in dids.items():
            if flow not in flows:
                raise _Bad(f"dids.{did}", f"no flow {flow!r} (flows: {', '.join(sorted(flows))})")
        trunks = data.get("trunks", [])
        if not isinstance(trunks, list):
            raise _Bad("trunks", "expected a list of addresses or networks")
        try:
            sip = SipSettings(host=host, port=port, trunks=tuple(str(t) for t in trunks),
                              dids=dids)
        except ValueError as exc:
            raise _Bad("trunks", str(exc)) from None
        agents, accounts = self._agents(data.get("agents", {}))
        slack = data.get("offer_slack", 5.0)
        if isinstance(slack, bool) or not isinstance(slack, int | float) or slack < 0:
            raise _Bad("offer_slack", f"expected seconds >= 0, got {slack!r}")
        dial, dial_timeout = self._dial(data)
        music = data.get("music")
        if music is not None and not (self.base / str(music)).is_file():
            raise _Bad("music", f"no such file: {music!r}")
        recording = self._recording(data.get("recording"))
        rtpengine = self._rtpengine(data.get("rtpengine"))
        if recording is not None:
            rtpengine = replace(rtpengine, recording_dir=recording.spool.resolve())
        return TelephonyConfig(
            sip=sip, flows=flows, agents=agents, rtpengine=rtpengine, recording=recording,
            prompt_dir=self._flow_dir(data.get("flows")),
            prompt_cache=self.base / str(data.get("prompt_cache", "prompt-cache")),
            music=None if music is None else self.base / str(music), offer_slack=float(slack),
            dial=dial, dial_timeout=dial_timeout, accounts=accounts,
            registrar=self._registrar(data.get("registrar"), host))

    def _recording(self, value: object) -> RecordingSettings | None:
        if value is None:
            return None
        data = _mapping(value, "recording")
        for key in sorted(set(data) - _RECORDING_KEYS):
            raise _Bad(f"recording.{key}", "unknown key "
                       f"(known: {', '.join(sorted(_RECORDING_KEYS))})")
        folder = data.get("dir")
        if not isinstance(folder, str) or not folder:
            raise _Bad("recording.dir", "expected the folder recordings are written to")
        flags = {}
        for key in ("calls", "keep_pcap"):
            flag = data.get(key, key == "calls")
            if not isinstance(flag, bool):
                raise _Bad(f"recording.{key}", f"expected true or false, got {flag!r}")
            flags[key] = flag
        return RecordingSettings(self.base / folder, **flags)

    @staticmethod
    def _agents(value: object) -> tuple[dict[str, str], tuple[SipAccount, ...]]:
        """Static contacts, and the accounts of agents whose phones register."""
        contacts: dict[str, str] = {}
        accounts: dict[str, SipAccount] = {}
        for agent, entry in _mapping(value, "agents").items():
            key = f"agents.{agent}"
            contact: object = entry
            if isinstance(entry, dict):
                fields = _mapping(entry, key)
                for name in sorted(set(fields) - _AGENT_KEYS):
                    raise _Bad(f"{key}.{name}", "unknown key "
                               f"(known: {', '.join(sorted(_AGENT_KEYS))})")
                user, password = fields.get("user"), fields.get("password")
                if not isinstance(user, str | int) or isinstance(user, bool) or \
                        not re.fullmatch(r"[\w.!~*'()&=+$-]+", str(user)):
                    raise _Bad(f"{key}.user", "expected a SIP user name (letters, digits, "
                               "-_.!~*'()&=+$)")
                if not isinstance(password, str | int) or isinstance(password, bool) or \
                        not str(password):
                    raise _Bad(f"{key}.password", "expected a non-empty password")
                if str(user) in (a.user for a in accounts.values()):
                    raise _Bad(f"{key}.user", f"user {str(user)!r} belongs to another agent")
                accounts[agent] = SipAccount(agent, str(user), str(password))
                contact = fields.get("contact")
                if contact is None:
                    continue
                key += ".contact"
            if not isinstance(contact, str):
                raise _Bad(key, "expected a SIP URI or {user, password[, contact]}")
            try:
                SipUri.parse(contact)
            except ValueError as exc:
                raise _Bad(key, str(exc)) from None
            contacts[agent] = contact
        return contacts, tuple(accounts.values())

    @staticmethod
    def _registrar(value: object, host: str) -> RegistrarSettings:
        data = _mapping(value if value is not None else {}, "registrar")
        for key in sorted(set(data) - _REGISTRAR_KEYS):
            raise _Bad(f"registrar.{key}", "unknown key "
                       f"(known: {', '.join(sorted(_REGISTRAR_KEYS))})")
        values: dict[str, Any] = {"realm": host}
        for key, v in data.items():
            if key == "realm":
                if not isinstance(v, str) or not v or '"' in v or "\\" in v:
                    raise _Bad("registrar.realm", f"expected a name without quotes, got {v!r}")
                values[key] = v
            elif key == "algorithms":
                if not isinstance(v, list) or not v or any(a not in ALGORITHMS for a in v):
                    raise _Bad("registrar.algorithms",
                               f"expected a list among {list(ALGORITHMS)}, got {v!r}")
                values[key] = tuple(v)
            else:
                values[key] = _int(v, f"registrar.{key}")
        try:
            return RegistrarSettings(**values)
        except ValueError as exc:
            raise _Bad("registrar", str(exc).removeprefix("RegistrarSettings: ")) from None

    @staticmethod
    def _dial(data: dict[str, Any]) -> tuple[str | None, float]:
        dial = data.get("dial")
        if dial is not None:
            if not isinstance(dial, str) or "{number}" not in dial:
                raise _Bad("dial", f"expected a SIP URI with {{number}}, got {dial!r}")
            try:
                SipUri.parse(dial.replace("{number}", "0"))
            except ValueError as exc:
                raise _Bad("dial", str(exc)) from None
        timeout = data.get("dial_timeout", 30.0)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise _Bad("dial_timeout", f"expected seconds > 0, got {timeout!r}")
        return dial, float(timeout)

    def _flow_dir(self, value: object) -> Path:
        return (self.base / str(value)).parent

    def _flows(self, value: object) -> dict[str, Flow]:
        if not isinstance(value, str) or not value:
            raise _Bad("flows", "expected the path of an IVR flow file")
        try:
            return load_flows(self.base / value)
        except FlowFileError as exc:
            raise _Bad("flows", str(exc)) from None

    def _rtpengine(self, value: object) -> RtpEngineSettings:
        if value is None:
            return RtpEngineSettings()
        data = _mapping(value, "rtpengine")
        for key in sorted(set(data) - _RTPENGINE_KEYS):
            raise _Bad(f"rtpengine.{key}", "unknown key "
                       f"(known: {', '.join(sorted(_RTPENGINE_KEYS))})")
        values: dict[str, Any] = {}
        for key, v in data.items():
            values[key] = str(v) if key == "interface" else _int(v, f"rtpengine.{key}")
        try:
            return RtpEngineSettings(**values)
        except ValueError as exc:
            raise _Bad("rtpengine", str(exc)) from None
