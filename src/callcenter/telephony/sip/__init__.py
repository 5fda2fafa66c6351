"""The `sip` telephony adapter: real phone calls. Signalling is a SIP B2BUA on
`sippy` in its own thread, bridged to asyncio (nothing outside this package
imports sippy); media is anchored in an rtpengine daemon that our service starts,
supervises and controls over its NG protocol (`rtpengine`, `bencode`)."""
