"""Flow and scenario files for the IVR tests of the simulator and the sim adapter."""

from __future__ import annotations

import wave
from pathlib import Path

FLOWS = """
flows:
  main:
    nodes:
      welcome: { play: "Welcome to the test line", next: menu }
      menu:
        menu: "Press one for A or two for B"
        choices: { 1: a, 2: b, 3: number, 4: later, 5: away }
        timeout: 5
        retries: 0
        fail: bye
      number:
        collect: "Your number please"
        variable: customer
        min_digits: 4
        max_digits: 4
        retries: 0
        next: lookup
        fail: bye
      lookup: { lookup: customer, found: a, missing: mailbox }
      mailbox: { voicemail: box, say: "Leave a message" }
      a: { queue: A }
      b: { queue: B }
      bye: { hangup: "Goodbye" }
      later: { callback: A, say: "We will call you back" }
      away: { transfer: "+4930123456" }
"""
"""Welcome (5 words) and the menu (8 words): 13 s at 60 words a minute."""

SCENARIO = """
[simulation]
start = 2025-03-03
seed = 3

[queues.A]
[queues.B]

[[agents]]
name = "a"
count = 8

[ivr]
flows = "flows.yaml"
words_per_minute = 60
think_time = 0
{ivr}

[[arrivals]]
flow = "main"
per_hour = {per_hour}
"""


def write(tmp: Path, ivr: str = "", per_hour: float = 30, flows: str = FLOWS) -> Path:
    """Write flows.yaml and scenario.toml (with extra `[ivr]` lines) into `tmp`."""
    (tmp / "flows.yaml").write_text(flows, encoding="utf-8")
    path = tmp / "scenario.toml"
    path.write_text(SCENARIO.replace("{ivr}", ivr).replace("{per_hour}", str(per_hour)),
                    encoding="utf-8")
    return path


def write_wav(path: Path, seconds: float, rate: int = 8000) -> None:
    """A silent mono 16-bit WAV file of `seconds`."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\0\0" * int(seconds * rate))
