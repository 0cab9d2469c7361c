"""Otter export zips (what a student's ``grader.export()`` makes).

The zip holds ``<notebook>.ipynb`` at its root, usually ``.OTTER_LOG`` and a
``__zip_filename__`` member naming the zip, maybe a PDF and files the student chose to add.
Otter grades the single root notebook, so zero or several of them is a problem for a person.
The zip's name carries ``_%Y_%m_%dT%H_%M_%S_%f``: the time the student exported.
"""

from __future__ import annotations

import re
from datetime import datetime

OTTER_LOG = ".OTTER_LOG"
ZIP_FILENAME = "__zip_filename__"
MARKERS = (OTTER_LOG, ZIP_FILENAME)

# Otter's export time, as grader.export() writes it into the zip name.
STAMP = re.compile(r"_(\d{4})_(\d{2})_(\d{2})T(\d{2})_(\d{2})_(\d{2})(?:_(\d{1,6}))?(?=$|[-.])")


def is_otter_export(names: list[str]) -> bool:
    """Whether an archive carries Otter's own marker files at its root."""
    return any(marker in names for marker in MARKERS)


def root_notebooks(names: list[str]) -> list[str]:
    """The ``.ipynb`` members at the archive's root (litter already removed)."""
    return [n for n in names if "/" not in n and n.lower().endswith(".ipynb")]


def root_archives(names: list[str]) -> list[str]:
    return [n for n in names if "/" not in n and n.lower().endswith(".zip")]


def export_time(filename: str) -> datetime | None:
    """The export timestamp in an Otter zip name (naive, the student's local time), or None."""
    match = STAMP.search(filename)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    micro = int((match[7] or "0").ljust(6, "0"))
    try:
        return datetime(year, month, day, hour, minute, second, micro)
    except ValueError:
        return None
