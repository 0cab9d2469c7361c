"""Canvas "Download Submissions" file names: who submitted, late or not, which attempt.

Canvas names each file ``lastfirst_userid_submissionid_originalname.ext`` (``_LATE`` after the
name part for late work) and appends ``-1``, ``-2``, ... to the original name when a student
re-uploads a file of the same name. The file name is the only place these facts appear.
With anonymous grading the name part is ``anon_<anonymous id>`` and there is no user id:
``anon_<anonymous id>_<attachment id>_originalname.ext``. The second number (``submission_id``
here) is the id of the file's attachment: Canvas's "Re-upload submissions" needs it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .otter_export import STAMP

_NAME = re.compile(
    r"^(?P<name>.+?)(?P<late>_LATE)?_(?P<user_id>\d+)_(?P<submission_id>\d+)_(?P<original>.+)$"
)
_ANON = re.compile(r"^anon_(?P<anon>[A-Za-z0-9]+)_(?P<submission_id>\d+)_(?P<original>.+)$")
# Canvas's own resubmission counter: no leading zero, so "lab-01" stays a name.
_ATTEMPT = re.compile(r"^(?P<base>.+)-(?P<attempt>[1-9]\d{0,2})$")


@dataclass(frozen=True)
class CanvasName:
    """What a Canvas bulk-download file name says about its submission."""

    name: str  # "lastfirst" as Canvas wrote it, e.g. "smithjane"; "anon" for anonymous grading
    user_id: str | None  # None with anonymous grading
    submission_id: str  # the attachment id of this file on the student's submission
    original: str  # the student's file name with Canvas's "-N" removed
    late: bool
    attempt: int  # 0 for the first upload of a name, N for "-N"
    anonymous_id: str | None = None  # Canvas's anonymous id when grading anonymously

    @property
    def key(self) -> str:
        """Who submitted: the user id, or ``anon_<anonymous id>`` with anonymous grading."""
        return self.user_id or f"anon_{self.anonymous_id}"

    @property
    def prefix(self) -> str:
        """The name's part before the student's file: what "Re-upload submissions" reads."""
        if self.user_id is None:
            return f"anon_{self.anonymous_id}_{self.submission_id}_"
        late = "_LATE" if self.late else ""
        return f"{self.name}{late}_{self.user_id}_{self.submission_id}_"


def parse_canvas_name(filename: str) -> CanvasName | None:
    """Parse a bulk-download member's base name; None if it is not in Canvas's pattern."""
    anonymous = _ANON.match(filename)
    match = anonymous or _NAME.match(filename)
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
        name="anon" if anonymous else match["name"],
        user_id=None if anonymous else match["user_id"],
        submission_id=match["submission_id"],
        original=f"{stem}.{suffix}" if dot else stem,
        late=False if anonymous else match["late"] is not None,
        attempt=attempt,
        anonymous_id=anonymous["anon"] if anonymous else None,
    )


def canvas_name_in(origin: str) -> CanvasName | None:
    """The Canvas bulk-download name in a submission's origin ("bulk.zip!smithjane_1_2_a.ipynb",
    "bulk.zip!smithjane_1_2_a.zip!a.ipynb"): its last path part in Canvas's pattern, or None."""
    for part in reversed(re.split(r"[/\\!]", origin)):
        parsed = parse_canvas_name(part)
        if parsed is not None:
            return parsed
    return None


def looks_like_canvas(names: list[str]) -> bool:
    """Whether an archive's root files follow Canvas's naming (at least one, most of them)."""
    root = [n for n in names if "/" not in n]
    matching = sum(parse_canvas_name(n) is not None for n in root)
    return matching > 0 and matching * 2 >= len(root)
