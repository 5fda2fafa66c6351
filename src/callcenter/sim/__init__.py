"""Discrete-event simulation of a contact center around the real routing Engine."""
