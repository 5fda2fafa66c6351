"""Recording of the `sip` adapter's calls and voicemails, through rtpengine.

    recorder = Recorder(client, RecordingSettings(Path("recordings")), on_ready=store)
    await recorder.start(leg, interaction_id, "call")       # at the bridge
    await recorder.pause(leg); await recorder.resume(leg)   # payment details
    await recorder.stop(leg)                                # before rtpengine's delete
    recorder.finish(leg, parties=[caller_sdp_address, agent_sdp_address])  # after it

rtpengine writes the packets it receives to pcap files in `spool` (one file per
start ... stop: a pause is a stop, so nothing said during it is kept); after the
call `finish` decodes them to one WAV (`pcap_wav.render_wav`, in a worker thread),
removes the pcaps and reports a `RecordingReady` to `on_ready`, which links the
file to the interaction (the server stores a row). Call recordings go to
`dir/calls/<YYYY-MM-DD>/<interaction>.wav` (stereo: caller left, agent right),
voicemails to `dir/voicemail/<box>/<call>.wav` (the caller, mono).
"""

from __future__ import annotations

import asyncio
import glob
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from callcenter.telephony.sip.pcap_wav import Address, RecordingError, read_pcap, render_wav
from callcenter.telephony.sip.rtpengine import NgClient, NgError

log = logging.getLogger(__name__)

CALL, VOICEMAIL = "call", "voicemail"


@dataclass(frozen=True)
class RecordingSettings:
    """Where recordings go and what is recorded."""

    dir: Path
    calls: bool = True
    """Record every call from the moment it is bridged to an agent."""
    keep_pcap: bool = False
    """Keep rtpengine's pcap files next to the WAV (for troubleshooting)."""

    @property
    def spool(self) -> Path:
        """rtpengine's `recording-dir` (its pcaps and metadata while calls run)."""
        return self.dir / "spool"


@dataclass(frozen=True)
class RecordingReady:
    """A recording decoded to WAV and linked to its interaction (or voicemail call)."""

    interaction_id: str
    kind: str
    """`call` or `voicemail`."""
    path: Path
    started: float
    """When recording started (Unix seconds)."""
    ended: float
    seconds: float
    """Length of the WAV file."""
    paused_seconds: float
    """Time not recorded on purpose (pause ... resume)."""
    box: str | None = None
    """The voicemail box."""
    caller: str = ""


OnRecording = Callable[[RecordingReady], None]


@dataclass
class _Active:
    interaction_id: str
    kind: str
    box: str | None
    caller: str
    started: float
    recording: bool = True
    paused_at: float | None = None
    paused: float = 0.0
    pauses: list[tuple[float, float]] = field(default_factory=list)


class Recorder:
    """Recordings in progress, by rtpengine call-id (the caller's leg)."""

    def __init__(self, client: NgClient, settings: RecordingSettings, *,
                 on_ready: OnRecording | None = None,
                 now: Callable[[], float] = time.time) -> None:
        self.client = client
        self.settings = settings
        self.on_ready = on_ready
        self._now = now
        self._active: dict[str, _Active] = {}
        self._work: set[asyncio.Task[RecordingReady | None]] = set()

    def __contains__(self, leg: str) -> bool:
        return leg in self._active

    def paused(self, leg: str) -> bool:
        """True while the recording of `leg` is paused."""
        active = self._active.get(leg)
        return active is not None and active.paused_at is not None

    async def start(self, leg: str, interaction_id: str, kind: str = CALL, *,
                    box: str | None = None, caller: str = "") -> bool:
        """Start recording `leg`'s rtpengine call; False if rtpengine refused."""
        if leg in self._active:
            return True
        try:
            await self.client.start_recording(leg)
        except NgError as exc:
            log.error("start recording %s: %s", interaction_id, exc)
            return False
        self._active[leg] = _Active(interaction_id, kind, box, caller, self._now())
        return True

    async def pause(self, leg: str) -> bool:
        """Stop writing (what is said now is never stored); False if not recording."""
        active = self._active.get(leg)
        if active is None or active.paused_at is not None:
            return False
        await self.client.stop_recording(leg)
        active.paused_at, active.recording = self._now(), False
        return True

    async def resume(self, leg: str) -> bool:
        """Write again after a pause; False if not paused."""
        active = self._active.get(leg)
        if active is None or active.paused_at is None:
            return False
        await self.client.start_recording(leg)
        now = self._now()
        active.pauses.append((active.paused_at, now))
        active.paused += now - active.paused_at
        active.paused_at, active.recording = None, True
        return True

    async def stop(self, leg: str) -> None:
        """Stop writing `leg` (before its rtpengine call is deleted)."""
        active = self._active.get(leg)
        if active is None or not active.recording:
            return
        active.recording = False
        try:
            await self.client.stop_recording(leg)
        except NgError as exc:
            log.warning("stop recording %s: %s", active.interaction_id, exc)

    def finish(self, leg: str, parties: Sequence[Address | None]) -> None:
        """After rtpengine's delete: decode `leg`'s pcaps to WAV in a worker thread and
        report it (`parties`: the media addresses, one channel each)."""
        active = self._active.pop(leg, None)
        if active is None:
            return
        ended = self._now()
        if active.paused_at is not None:
            active.pauses.append((active.paused_at, ended))
            active.paused += ended - active.paused_at
        task = asyncio.ensure_future(asyncio.to_thread(self._render, leg, active, ended,
                                                       list(parties)))
        self._work.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[RecordingReady | None]) -> None:
        self._work.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("recording could not be decoded: %s", exc)
            return
        ready = task.result()
        if ready is not None and self.on_ready is not None:
            self.on_ready(ready)

    async def drain(self) -> None:
        """Wait for the recordings being decoded (at shutdown, in tests)."""
        while self._work:
            await asyncio.gather(*list(self._work), return_exceptions=True)

    def output(self, active: _Active) -> Path:
        """Where the WAV of a finished recording goes."""
        if active.kind == VOICEMAIL:
            return self.settings.dir / "voicemail" / _safe(active.box or "default") / \
                f"{_safe(active.interaction_id)}.wav"
        day = time.strftime("%Y-%m-%d", time.gmtime(active.started))
        return self.settings.dir / "calls" / day / f"{_safe(active.interaction_id)}.wav"

    def _render(self, leg: str, active: _Active, ended: float,
                parties: list[Address | None]) -> RecordingReady | None:
        # rtpengine names the files after the call-id, percent-escaped (GLib's URI
        # escaping: all but letters, digits and -._~), then a random part.
        name = glob.escape(quote(leg, safe=""))
        pcaps = sorted(self.settings.spool.joinpath("pcaps").glob(f"{name}-*.pcap"))
        if not pcaps:
            log.error("no recording files for %s (%s)", active.interaction_id, leg)
            return None
        segments = []
        for path in pcaps:
            try:
                segments.append(read_pcap(path))
            except RecordingError as exc:
                log.error("recording segment skipped: %s", exc)
        out = self.output(active)
        rendered = render_wav(segments, out, parties,
                              channels=1 if active.kind == VOICEMAIL else 2)
        if not self.settings.keep_pcap:
            metadata = self.settings.spool / "metadata"
            for path in pcaps:
                path.unlink(missing_ok=True)
                for meta in metadata.glob(f"rtpengine-meta-{glob.escape(path.stem)}.txt"):
                    meta.unlink(missing_ok=True)
        return RecordingReady(active.interaction_id, active.kind, out, active.started, ended,
                              rendered.seconds, active.paused, active.box, active.caller)


def _safe(name: str) -> str:
    """A file name from an id (ids are ours, but boxes come from flow files)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).lstrip(".") or "_"
