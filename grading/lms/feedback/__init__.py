"""Feedback delivered through an LMS: the files each LMS imports to give students their feedback.

Each module's ``write(items, roster, *, assignment, out)`` writes into the folder ``out`` what
its LMS takes back (a zip, a worksheet, a Grade Center file, folders) and returns a
``Delivery``: the files written and every student it could not place, with why. A new LMS is a
module with one ``write``, added to ``FORMATS`` below (the command line's choices come from it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ...ingest.roster import Roster
from . import blackboard, canvas, moodle, plain
from ._common import Delivery, FeedbackItem


class Writer(Protocol):
    """What a feedback module's ``write`` is."""

    def __call__(
        self, items: list[FeedbackItem], roster: Roster | None, *, assignment: str, out: Path
    ) -> Delivery: ...


FORMATS: dict[str, Writer] = {
    "canvas": canvas.write,
    "moodle": moodle.write,
    "blackboard": blackboard.write,
    "plain": plain.write,
}
# The roster each format needs, if any: (kinds accepted, what to download).
NEEDS_ROSTER: dict[str, tuple[tuple[str, ...], str]] = {
    "blackboard": (
        ("blackboard",),
        "Blackboard's Grade Center download (Work Offline -> Download, with comments)",
    ),
}

__all__ = ["FORMATS", "NEEDS_ROSTER", "Delivery", "FeedbackItem", "Writer"]
