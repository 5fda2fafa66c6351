"""The asyncio shell around the pure routing engine: clock, driver, pub/sub, composition."""
