"""Ingest: turn the instructor's inputs into Submission and Rejected records.

``find_submissions(paths, workdir)`` accepts notebooks, folders, Otter export zips, Canvas bulk
downloads and Gradescope exports. Students control every byte of these, so archives are read
member by member under size caps (``archives``) and every notebook is validated (``validate``)
before it is handed on. ``roster`` then maps the identifiers found to a class list.
"""

from __future__ import annotations

from .archives import DEFAULT_LIMITS, ArchiveLimits
from .dispatch import IngestResult, find_submissions
from .roster import Roster, RosterEntry, apply_roster, load_roster

__all__ = [
    "DEFAULT_LIMITS",
    "IngestResult",
    "ArchiveLimits",
    "Roster",
    "RosterEntry",
    "apply_roster",
    "find_submissions",
    "load_roster",
]
