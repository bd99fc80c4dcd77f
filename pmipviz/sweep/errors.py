"""The one exception bad sweep input raises."""

from __future__ import annotations


class SweepError(Exception):
    """Bad sweep input (a parameter path, a value, a range, seeds, an output file):
    one line naming what is wrong, reported before anything runs (exit 2)."""
