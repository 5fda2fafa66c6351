"""The SIP benchmark's two B2BUAs, started on free loopback ports and ended by PID.

`start_ours` runs `callcenter serve --sip` (its adapter starts its own rtpengine)
with the benchmark's scenario, flow and telephony config; `start_peer` starts an
rtpengine with the same config and `_sip_peer.py`. Either is ready once it answers
an OPTIONS with 200.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _sip_peer import Ng
from _sipp import free_udp_port

HERE = Path(__file__).resolve().parent
DID = "4940112233"
PROMPT = "Thank you for calling."


def write_server_files(folder: Path, *, ng_port: int, ports: tuple[int, int]) -> Path:
    """Scenario, flow and telephony config of ours; returns the telephony config."""
    (folder / "scenario.toml").write_text("""[simulation]
name = "SIP benchmark"
seed = 1

[queues.bench]
wrap_up = 0
handle_time = 60
patience = "never"

[[agents]]   # never logs in: callers stay on hold
name = "agent"
count = 1

[[arrivals]]   # the format needs one; real calls replace simulated ones
queue = "bench"
daily = 1
profile = "flat"

[profiles.flat]
interval = 60
start = "08:00"
weights = [1]
""")
    (folder / "flows.yaml").write_text(f"""flows:
  main:
    language: en
    nodes:
      welcome:
        play: "{PROMPT}"
        next: wait
      wait:
        queue: bench
""")
    config = folder / "telephony.yaml"
    config.write_text(
        f"trunks: [127.0.0.1]\ndids: {{'{DID}': main}}\nflows: flows.yaml\n"
        "prompt_cache: prompts\n"
        f"rtpengine: {{ng_port: {ng_port}, port_min: {ports[0]}, port_max: {ports[1]}, "
        "threads: 2}\n")
    return config



def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """PIDs of a process's children."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def sip_ready(address: tuple[str, int], timeout: float, alive: Callable[[], bool]) -> None:
    """Wait until the B2BUA answers an OPTIONS with 200."""
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(0.2)
        port = s.getsockname()[1]
        while time.monotonic() < deadline:
            if not alive():
                raise RuntimeError("the B2BUA exited while starting")
            s.sendto((f"OPTIONS sip:ping@{address[0]}:{address[1]} SIP/2.0\r\n"
                      f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{random.getrandbits(40)}"
                      f"\r\nFrom: <sip:bench@127.0.0.1>;tag=b\r\nTo: <sip:ping@127.0.0.1>\r\n"
                      f"Call-ID: ping-{random.getrandbits(40)}\r\nCSeq: 1 OPTIONS\r\n"
                      "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode(), address)
            with contextlib.suppress(TimeoutError):
                if s.recv(4096).startswith(b"SIP/2.0 200"):
                    return
        raise RuntimeError(f"the B2BUA did not answer OPTIONS within {timeout:.0f} s")


@dataclass
class B2bua:
    """A started B2BUA (ours or the peer) with its rtpengine; `stop()` ends them by PID."""

    name: str
    address: tuple[str, int]
    ng_port: int
    process: subprocess.Popen[bytes]
    log: Path
    rtpengine: int = 0
    """rtpengine's PID (ours starts it as its child)."""
    extra: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def cpu(self) -> tuple[float, float]:
        """CPU seconds so far: the B2BUA process, its rtpengine."""
        return cpu_seconds(self.process.pid), cpu_seconds(self.rtpengine)

    def stop(self) -> None:
        for proc in [self.process, *self.extra]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [self.process, *self.extra]:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def log_errors(self) -> int:
        text = self.log.read_text(errors="replace")
        return text.count("Traceback") + text.count("ERROR")


def _callcenter() -> list[str]:
    script = Path(sys.executable).parent / "callcenter"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from callcenter.cli import app; app()"]


def start_ours(folder: Path, ports: tuple[int, int]) -> B2bua:
    """`callcenter serve --sip` on free ports, ready once it answers OPTIONS."""
    folder.mkdir(parents=True, exist_ok=True)
    ng_port, sip_port = free_udp_port(), free_udp_port()
    config = write_server_files(folder, ng_port=ng_port, ports=ports)
    log = folder / "server.log"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        http = s.getsockname()[1]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*_callcenter(), "serve", "--db", f"sqlite:///{folder / 'store.db'}",
             "--port", str(http), "--scenario", str(folder / "scenario.toml"), "--no-bots",
             "--sip", f"127.0.0.1:{sip_port}", "--telephony-config", str(config)],
            stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    b2bua = B2bua("ours", ("127.0.0.1", sip_port), ng_port, proc, log)
    try:
        sip_ready(b2bua.address, 60, lambda: proc.poll() is None)
        b2bua.rtpengine = next(iter(children(proc.pid)), 0)
    except BaseException:
        b2bua.stop()
        raise
    return b2bua


def start_peer(folder: Path, ports: tuple[int, int]) -> B2bua:
    """rtpengine (the same config as ours) and `_sip_peer.py`, ready once it answers OPTIONS."""
    from callcenter.telephony.sip.prompts import to_8khz, write_tone
    from callcenter.telephony.sip.rtpengine_process import RtpEngineSettings, render_config

    folder.mkdir(parents=True, exist_ok=True)
    ng_port, sip_port = free_udp_port(), free_udp_port()
    settings = RtpEngineSettings(ng_port=ng_port, port_min=ports[0], port_max=ports[1])
    (folder / "rtpengine.conf").write_text(render_config(settings, free_udp_port()))
    prompt, music = folder / "welcome.wav", folder / "hold.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-w", str(prompt), "--", PROMPT], check=True)
    to_8khz(prompt)  # as our server renders its prompts: the same work for rtpengine
    write_tone(music, seconds=4.0)
    log = folder / "peer.log"
    with log.open("wb") as out:
        engine = subprocess.Popen(
            [shutil.which("rtpengine") or "rtpengine", f"--config-file={folder / 'rtpengine.conf'}",
             "--config-section=rtpengine"], stdout=out, stderr=subprocess.STDOUT)
        ng = Ng(ng_port)
        deadline = time.monotonic() + 20
        while True:
            try:
                ng("ping")
                break
            except OSError:
                if time.monotonic() > deadline or engine.poll() is not None:
                    engine.terminate()
                    raise RuntimeError("the peer's rtpengine did not start") from None
                time.sleep(0.1)
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "_sip_peer.py"), "--sip", f"127.0.0.1:{sip_port}",
             "--ng-port", str(ng_port), "--prompt", str(prompt), "--music", str(music)],
            stdout=out, stderr=subprocess.STDOUT)
    b2bua = B2bua("peer", ("127.0.0.1", sip_port), ng_port, proc, log, engine.pid, [engine])
    try:
        sip_ready(b2bua.address, 30, lambda: proc.poll() is None)
    except BaseException:
        b2bua.stop()
        raise
    return b2bua
