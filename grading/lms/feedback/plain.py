"""A folder per student with their feedback files, for an LMS without a feedback import (or for
e-mail): ``<out>/<student>/<assignment>-feedback.txt`` (and ``.html``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ...files import replacing, safe_name
from ...ingest.roster import Roster
from ._common import Delivery, FeedbackItem, feedback_name


def folder_name(item: FeedbackItem) -> str:
    """The student's folder: their name and gradebook key, file-name safe."""
    entry = item.grade.roster
    name = entry.display_name if entry else None
    return safe_name(f"{name}-{item.grade.student}" if name else item.grade.student)


def write(
    items: list[FeedbackItem], roster: Roster | None, *, assignment: str, out: Path
) -> Delivery:
    """Copy each student's feedback files into their own folder under ``out``."""
    done = Delivery()
    used: dict[str, int] = {}
    for item in items:
        folder = folder_name(item)
        used[folder] = used.get(folder, 0) + 1
        if used[folder] > 1:  # two keys that clean to one name keep their own folders
            folder = f"{folder}-{used[folder]}"
        for path in item.files:
            target = out / folder / feedback_name(assignment, path)
            with replacing(target, "wb") as copy, open(path, "rb") as source:
                shutil.copyfileobj(source, copy)
            done.written.append(target)
    return done
