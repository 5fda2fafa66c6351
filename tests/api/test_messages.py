"""The `/api/ws` message of a command: its fields as a JSON object, encoded once."""

from __future__ import annotations

import json

from callcenter.api.messages import MessageTexts, message
from callcenter.core.commands import OfferToAgent, RecordInteraction
from callcenter.core.records import InteractionRecord

OFFER = OfferToAgent("x1", "early-1", "hotline", "voice", 1_700_000_020.5)
RECORD = RecordInteraction(InteractionRecord(
    "x1", "voice", "hotline", "hotline", 0, 1_700_000_000.0, None, 1_700_000_030.0,
    1_700_000_030.0, "abandoned", caller_number="+49 30 123"))


def test_a_message_is_the_type_and_the_fields() -> None:
    """A command becomes {"type": its class name, ...its fields}, records nested."""
    assert message(OFFER) == {"type": "OfferToAgent", "interaction_id": "x1",
                              "agent_id": "early-1", "queue_id": "hotline",
                              "channel": "voice", "expires_at": 1_700_000_020.5}
    record = message(RECORD)["record"]
    assert (record["outcome"], record["answered_at"], record["caller_number"]) == (
        "abandoned", None, "+49 30 123")


def test_the_text_is_compact_json_of_the_message() -> None:
    """The text sent is the message as compact JSON, as `send_json` writes it."""
    texts = MessageTexts()
    for command in (OFFER, RECORD):
        assert texts.text(command) == json.dumps(message(command), separators=(",", ":"),
                                                 ensure_ascii=False)


def test_a_command_is_encoded_once_for_every_socket() -> None:
    """Every socket sending the same command gets the same text object; an equal command
    published later gets an equal text."""
    texts = MessageTexts(size=2)
    first = texts.text(OFFER)
    assert texts.text(OFFER) is first
    later = OfferToAgent(*(getattr(OFFER, f) for f in ("interaction_id", "agent_id",
                                                        "queue_id", "channel", "expires_at")))
    for command in (RECORD, later, OFFER):  # OFFER is forgotten after two others
        assert texts.text(command) == json.dumps(message(command), separators=(",", ":"),
                                                 ensure_ascii=False)
