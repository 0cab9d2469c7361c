"""Moodle assignment downloads ("Download all submissions"): who submitted, by folder name.

Moodle (4.1 and later; ``mod/assign`` ``load_submissionplugin_filelist``) puts each student's
files in a folder ``<Full Name>_<participant id>_assignsubmission_file/``; Moodle 3.1 to 4.0
wrote the same with a trailing ``_``, and blind marking writes "Participant" for the name. The
participant id is the assignment's own number for the student (not the user id): Moodle's
"Upload multiple feedback files in a zip" and its grading worksheet ("Participant <id>") find
the student by it, so it is kept as the submission's LMS id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# fullname_participantid_plugintype_pluginname[_...]: Moodle's importer splits a path part on
# "_" into at most 5 pieces and reads the id from the second.
_FOLDER = re.compile(
    r"\A(?P<name>[^_]*)_(?P<participant>\d+)_(?P<type>assign(?:submission|feedback))"
    r"_(?P<plugin>[a-z0-9]+)(?:_.*)?\Z",
    re.DOTALL,
)


@dataclass(frozen=True)
class MoodleFolder:
    """What a Moodle download folder's name says."""

    name: str  # the student's full name, or "Participant" under blind marking
    participant_id: str


def parse_moodle_folder(part: str) -> MoodleFolder | None:
    """Parse one path part ("Jane Smith_123_assignsubmission_file"); None if not Moodle's."""
    match = _FOLDER.match(part)
    if match is None:
        return None
    return MoodleFolder(name=match["name"].strip(), participant_id=match["participant"])


def moodle_folder_in(origin: str) -> MoodleFolder | None:
    """The Moodle folder in a submission's origin ("dl.zip!Jane Smith_1_assignsubmission_file/
    a.ipynb", or a path on disk), the one nearest the file; None if there is none."""
    for part in reversed(re.split(r"[/\\!]", origin)):
        parsed = parse_moodle_folder(part)
        if parsed is not None:
            return parsed
    return None


def looks_like_moodle(names: list[str]) -> bool:
    """Whether an archive's members sit in Moodle's per-student folders (most of them)."""
    folders = {n.split("/", 1)[0] for n in names if "/" in n}
    root_files = [n for n in names if "/" not in n]
    matching = sum(parse_moodle_folder(f) is not None for f in folders)
    return matching > 0 and matching * 2 >= len(folders) + len(root_files)
