"""Canvas "Re-upload submissions" (Assignment page -> Upload submissions): a zip of files.

Canvas (``Assignment#infer_comment_context_from_filename``) splits each file name on "_": with
``anon`` first it reads the anonymous id and the attachment id after it, else it takes the first
two all-digit pieces as the user id and the attachment id, and it accepts the file only if that
attachment is on that student's submission. Each accepted file is attached to a new comment
("See attached file"), once per upload: uploading twice comments twice.

So every file keeps the bulk download's prefix of the submission it answers:
``<name>[_LATE]_<user id>_<attachment id>_`` or ``anon_<id>_<attachment id>_``, read back from
the submission's origin. The name part is cleaned (no "_", nothing but letters and digits), so
that no piece of it can be read as an id. A submission that did not come from a Canvas bulk
download has no attachment to answer: it is reported, never guessed.
"""

from __future__ import annotations

import re
from pathlib import Path

from ...files import safe_name
from ...ingest.canvas import CanvasName, canvas_name_in
from ...ingest.roster import Roster
from ._common import Delivery, FeedbackItem, describe, feedback_name


def prefix(parsed: CanvasName) -> str:
    """The member-name prefix Canvas reads the ids from; the name part made harmless."""
    if parsed.user_id is None:
        anonymous = re.sub(r"[^A-Za-z0-9]", "", parsed.anonymous_id or "")
        return f"anon_{anonymous}_{parsed.submission_id}_"
    name = re.sub(r"[\W_]+", "", parsed.name)
    if not name or name.isdigit():
        name = "student"
    late = "_LATE" if parsed.late else ""
    return f"{name}{late}_{parsed.user_id}_{parsed.submission_id}_"


def write(
    items: list[FeedbackItem], roster: Roster | None, *, assignment: str, out: Path
) -> Delivery:
    """``<assignment>-canvas-feedback.zip`` in ``out``; students without Canvas ids reported."""
    done = Delivery()
    members: list[tuple[str, Path]] = []
    for item in items:
        parsed = canvas_name_in(item.grade.origin or "")
        if parsed is None:
            done.unplaced.append(
                f"{describe(item)}: no Canvas user and attachment ids (not from a Canvas bulk"
                " download); its feedback is not in the zip"
            )
            continue
        for path in item.files:
            members.append((prefix(parsed) + feedback_name(assignment, path), path))
    done.add_zip(
        out / f"{safe_name(assignment)}-canvas-feedback.zip",
        members,
        "upload it on the assignment's page (Upload Submissions, 'Re-upload submissions');"
        " each upload adds one comment per student",
    )
    return done
