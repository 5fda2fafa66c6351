"""Outbound work outside the pure core: lead-list import, public-holiday lookup."""
