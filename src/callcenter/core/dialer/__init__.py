"""Outbound dialing in the pure core: campaigns, calling windows, leads, do-not-call, pacing.

Like the rest of `callcenter.core`, nothing here reads a clock or does I/O:
every function takes `now` (seconds since the Unix epoch) and data passed in.
"""
