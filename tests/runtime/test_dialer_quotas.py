"""The live dialer and survey quotas: a lead whose quota cell is full (counted from the
campaign's completed interviews in the store) is not dialed while the others are."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from callcenter.core.dialer.campaign import DialMode
from callcenter.core.dialer.leads import LeadState
from callcenter.store.models import CampaignScriptRow, ScriptRow, ScriptRunRow
from tests.runtime.dialer_world import DialerWorld, campaign, leads

SCRIPT = """script: regions
purpose: survey
quotas:
  - grid:
      lead: {region: [north, south]}
    target: 1
steps:
  - id: ok
    say: Thank you.
"""


def test_a_lead_of_a_full_cell_is_not_dialed_while_others_are(tmp_path: Path) -> None:
    """North has its one complete: the south lead is dialed, the north lead waits undialed."""
    north, south = (replace(ld, fields={"region": r})
                    for ld, r in zip(leads(2), ["north", "south"], strict=True))

    async def main() -> tuple[DialerWorld, list[str]]:
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), [north, south], agents=1,
                        fake=True)
        with w.sessions.begin() as session:
            session.add(ScriptRow(name="regions", version=1, title="r", purpose="survey",
                                  text=SCRIPT))
            session.add(CampaignScriptRow(campaign="spring", purpose="survey",
                                          script="regions"))
            session.add(ScriptRunRow(script="regions", script_version=1, campaign="spring",
                                     lead_id="earlier", status="ended", outcome="complete",
                                     fields={"region": "north"}))
        await w.start()
        await w.run(2.0)
        assert w.fake is not None
        dialed = [number for number, _ in w.fake.dials.values()]
        await w.stop()
        return w, dialed

    w, dialed = asyncio.run(main())
    assert dialed == [south.number]
    held = w.leads()["l0"]
    assert (held.state, held.attempts) == (LeadState.NEW, 0)
