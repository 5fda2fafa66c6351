"""`callcenter demo --sip HOST:PORT`: the demo with real phone calls.

The demo's database and logins as usual, but calls come from SIP instead of the
simulator: a telephony config is written beside the database (`<db>-sip/`) with

- DID `100` (and `+100`-style dialling of it) entering the example's IVR flow
  (examples/flows/customer-service.yaml: language menu, customer number, main menu);
- trunks: the loopback and the demo's SIP address (a softphone on this machine may
  call in);
- the person's agent `you` as a SIP account `you` / password `you` (register a
  softphone at HOST:PORT), and every other agent of the example unregistered;
- recording of calls and voicemails into `<db>-sip/recordings`;
- rtpengine on the loopback (or the SIP address) with a port range.

The engine runs on the real clock (phones ring in real time), so the example's
opening hours apply: outside them the flow says the office is closed.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from callcenter.api.demo import PERSON

DEMO_DID = "100"
"""The number a demo caller dials."""
RTP_PORTS = (30000, 30999)
"""rtpengine's media ports for the demo."""


def example_flows() -> Path:
    """The packaged example flow file."""
    return Path(str(resources.files("callcenter.examples") / "flows" / "customer-service.yaml"))


def write_sip_config(folder: Path, listen: str, *, flow: str = "main",
                     rtp_ports: tuple[int, int] = RTP_PORTS, ng_port: int = 2223) -> Path:
    """Write the demo's telephony config (and its folders) into `folder`; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    host = listen.rpartition(":")[0].strip("[]") or "127.0.0.1"
    trunks = sorted({"127.0.0.1", host} - {"0.0.0.0", "::"})
    interface = host if host not in ("0.0.0.0", "::") else "127.0.0.1"
    config = {
        "listen": listen,
        "trunks": trunks,
        "dids": {DEMO_DID: flow},
        "agents": {PERSON: {"user": PERSON, "password": PERSON}},
        "flows": str(example_flows()),
        "prompt_cache": "prompt-cache",
        "recording": {"dir": "recordings"},
        "rtpengine": {"interface": interface, "ng_port": ng_port,
                      "port_min": rtp_ports[0], "port_max": rtp_ports[1]},
    }
    path = folder / "telephony.yaml"
    path.write_text("# Written by `callcenter demo --sip`; rewritten on every run.\n"
                    + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path
