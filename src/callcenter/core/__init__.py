"""The pure routing core: events and the time in, commands out. No I/O, no clock."""
