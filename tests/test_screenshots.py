"""The screenshot table (`tests/screenshots.py`): well formed, and docs/screens.md is
written from it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.screenshots import SCREENS, STEPS, WIDE, index

ROOT = Path(__file__).resolve().parents[1]


def test_every_screen_has_its_own_file_name_and_a_known_step() -> None:
    """Names are unique file names; steps are ones the script knows; the call is taken
    after the offer it accepts; one screen is phone-sized and the rest 1366 px wide."""
    names = [s.name for s in SCREENS]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9-]+", n) for n in names)
    assert {s.step for s in SCREENS} - {""} <= set(STEPS)
    steps = [s.step for s in SCREENS if s.step]
    assert steps.index("offer") < steps.index("accept")
    assert {s.width for s in SCREENS} == {WIDE, 375}


def test_the_docs_page_shows_every_screen_with_its_caption() -> None:
    """docs/screens.md has a heading and an image of every screen, in table order."""
    text = index(SCREENS)
    images = re.findall(r"!\[([^\]]+)\]\(screenshots/([a-z0-9-]+)\.png\)", text)
    assert images == [(s.caption, s.name) for s in SCREENS]
    assert text.count("\n## ") == len(SCREENS)


def test_the_committed_docs_page_and_readme_point_at_committed_pictures() -> None:
    """Every picture docs/screens.md and the README show is in docs/screenshots."""
    for page, prefix in ((ROOT / "docs" / "screens.md", ROOT / "docs"), (ROOT / "README.md", ROOT)):
        shown = re.findall(r"\]\(((?:docs/)?screenshots/[a-z0-9-]+\.png)\)",
                           page.read_text(encoding="utf-8"))
        assert shown, page
        for rel in shown:
            assert (prefix / rel).is_file(), rel
