"""The walkthrough: trace events mapped to the draft's steps and the RFC sections."""

from pmipviz.lesson.narration import STEP_TEXT, Narration, narrate

__all__ = ["STEP_TEXT", "Narration", "narrate"]
