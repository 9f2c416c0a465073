"""Revision scripts, one per schema change; ``0001`` is the first."""
