"""The runtime reference page names every runtime setting."""

from dataclasses import fields
from pathlib import Path

from callcenter.runtime.app import RuntimeSettings

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "runtime.md"


def test_every_runtime_setting_is_documented() -> None:
    """Each field of RuntimeSettings has a row in docs/reference/runtime.md."""
    text = PAGE.read_text()
    missing = [f.name for f in fields(RuntimeSettings) if f"| `{f.name}` |" not in text]
    assert missing == []


def test_every_dialer_setting_is_documented() -> None:
    """Each field of DialerSettings has a row in docs/reference/runtime.md."""
    from callcenter.runtime.dialer import DialerSettings

    text = PAGE.read_text()
    missing = [f.name for f in fields(DialerSettings) if f"| `{f.name}` |" not in text]
    assert missing == []
