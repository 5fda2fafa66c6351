"""Telephony adapters behind one Protocol: `sim` (synthetic callers, bot agents); SIP later."""
