"""Canvas "Download Submissions" file names: who submitted, late or not, which attempt.

Canvas names each file ``lastfirst_userid_submissionid_originalname.ext`` (``_LATE`` after the
name part for late work) and appends ``-1``, ``-2``, ... to the original name when a student
re-uploads a file of the same name. The file name is the only place these facts appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .otter_export import STAMP

_NAME = re.compile(
    r"^(?P<name>.+?)(?P<late>_LATE)?_(?P<user_id>\d+)_(?P<submission_id>\d+)_(?P<original>.+)$"
)
# Canvas's own resubmission counter: no leading zero, so "lab-01" stays a name.
_ATTEMPT = re.compile(r"^(?P<base>.+)-(?P<attempt>[1-9]\d{0,2})$")


@dataclass(frozen=True)
class CanvasName:
    """What a Canvas bulk-download file name says about its submission."""

    name: str  # "lastfirst" as Canvas wrote it, e.g. "smithjane"
    user_id: str
    submission_id: str
    original: str  # the student's file name with Canvas's "-N" removed
    late: bool
    attempt: int  # 0 for the first upload of a name, N for "-N"


def parse_canvas_name(filename: str) -> CanvasName | None:
    """Parse a bulk-download member's base name; None if it is not in Canvas's pattern."""
    match = _NAME.match(filename)
    if match is None:
        return None
    stamp = STAMP.search(filename)
    if stamp is not None and stamp.start() < match.start("original"):
        return None  # "hw_2026_03_02T23_47_35_069567.zip" is an Otter export name, not Canvas's
    original = match["original"]
    stem, dot, suffix = original.rpartition(".")
    if not dot:
        stem, suffix = original, ""
    attempt = 0
    resubmitted = _ATTEMPT.match(stem)
    if resubmitted:
        stem, attempt = resubmitted["base"], int(resubmitted["attempt"])
    return CanvasName(
        name=match["name"],
        user_id=match["user_id"],
        submission_id=match["submission_id"],
        original=f"{stem}.{suffix}" if dot else stem,
        late=match["late"] is not None,
        attempt=attempt,
    )


def looks_like_canvas(names: list[str]) -> bool:
    """Whether an archive's root files follow Canvas's naming (at least one, most of them)."""
    root = [n for n in names if "/" not in n]
    matching = sum(parse_canvas_name(n) is not None for n in root)
    return matching > 0 and matching * 2 >= len(root)
