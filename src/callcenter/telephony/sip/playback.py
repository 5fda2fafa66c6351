"""What a caller of the `sip` adapter hears from us: prompts in turn, and hold music
whenever no prompt plays, through rtpengine's `play media` / `stop media`.

    playback = Playback(media, prompts, config, emit)
    spawn(playback.play(call, call.generation, command))  # PromptFinished when done
    call.music = playback.music("jazz.wav")              # the file (default if missing)
    await playback.start_music(call, call.generation)
    await playback.stop(call)

A newer command of the call (its `generation` moved on) stops a playing list of
prompts between files; the call's lock is taken around each rtpengine request, not
while a prompt plays.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from callcenter.core.ivr import PlayPrompts, PromptFinished
from callcenter.telephony.sip.call import Call
from callcenter.telephony.sip.config import TelephonyConfig
from callcenter.telephony.sip.media import MediaAnchor
from callcenter.telephony.sip.prompts import PromptError, PromptFiles
from callcenter.telephony.sip.rtpengine import NgError

log = logging.getLogger(__name__)

MUSIC_REPEAT = 10_000
"""Times hold music repeats (rtpengine needs a count); a prompt or the agent stops it."""


class Playback:
    """Prompts and hold music for the adapter's calls."""

    def __init__(self, media: MediaAnchor, prompts: PromptFiles, config: TelephonyConfig,
                 emit: Callable[[Any], None]) -> None:
        self._media, self._prompts, self._config, self._emit = media, prompts, config, emit
        self._music_files: dict[str | None, Path] = {}

    def music(self, name: str | None) -> Path:
        """The hold music file `name` in the prompt directory, else the default."""
        found = self._music_files.get(name)
        if found is not None:
            return found
        if name is not None and (self._config.prompt_dir / name).is_file():
            found = (self._config.prompt_dir / name).resolve()
        else:
            if name is not None:
                log.warning("no hold music file %s; playing the default",
                            self._config.prompt_dir / name)
            found = self._config.music.resolve() if self._config.music is not None \
                else self._prompts.default_music()
        self._music_files[name] = found
        return found

    async def play(self, call: Call, generation: int, command: PlayPrompts) -> None:
        """Play the command's prompts in turn, then report `PromptFinished` and go back
        to the call's music, unless a newer command of the call came meanwhile."""
        files: list[Path] = []
        for prompt in command.prompts:
            try:
                files.append(await self._prompts.wav(prompt, command.language))
            except PromptError as exc:
                log.error("prompt skipped on %s: %s", call.id, exc)
        for file in files:
            async with call.lock:
                if generation != call.generation or call.ended:
                    return
                await self.stop(call)
                try:
                    seconds = await self._media.play(call.media, file)
                except NgError as exc:
                    log.error("play media on %s: %s", call.id, exc)
                    continue
                call.media_on = True
            await asyncio.sleep(seconds)  # the prompt's timer: rtpengine told its length
        if generation != call.generation or call.ended:
            return
        call.prompting, call.media_on = False, False
        self._emit(PromptFinished(call.id, command.play or None))
        if call.music is not None:
            async with call.lock:
                await self.start_music(call, generation)

    async def start_music(self, call: Call, generation: int) -> None:
        """Play the call's music (repeated), unless a prompt plays or a newer command came."""
        if call.music is None or call.prompting or call.ended or \
                generation != call.generation:
            return
        await self.stop(call)
        try:
            await self._media.play(call.media, call.music, repeat=MUSIC_REPEAT)
            call.media_on = True
        except NgError as exc:
            log.error("hold music on %s: %s", call.id, exc)

    async def stop(self, call: Call) -> None:
        """Stop what plays to the caller, if anything does."""
        if call.media_on and not call.ended:
            call.media_on = False
            await self._media.stop(call.media)
