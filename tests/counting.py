"""Work measured by counting, not timing: how many Python lines a call executes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType


def lines_run(fn: Callable[[], object]) -> int:
    """How many Python lines ``fn()`` executes (every frame, comprehensions included):
    a measure of work that does not depend on the machine's speed or load."""
    count = 0

    def tracer(frame: FrameType, event: str, arg: object) -> Callable[..., object]:
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn()
    finally:
        sys.settrace(previous)
    return count
