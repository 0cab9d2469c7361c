"""What every feedback delivery shares: the feedback of a student, safe cells and zip writing."""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ...files import replacing
from ..grades import StudentGrade

# A cell an LMS imports as text must not start like a spreadsheet formula (CSV injection:
# OWASP's list), should a person open the file in Excel first.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Spreadsheets hold at most 32,767 characters in a cell: a longer comment is cut there, and the
# whole feedback travels as a file where the LMS takes files.
MAX_CELL = 32_000
TRUNCATED = "\n[... cut here: the whole feedback is in the feedback file]"


@dataclass(frozen=True)
class FeedbackItem:
    """One student's feedback: the grade it belongs to and its files (.txt, and .html if any)."""

    grade: StudentGrade
    files: tuple[Path, ...]
    text: str  # the plain-text feedback, for LMS comment cells


@dataclass
class Delivery:
    """What a writer wrote, and every student it could not place (with why)."""

    written: list[Path] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_zip(self, path: Path, members: list[tuple[str, Path]], upload: str) -> None:
        """Write the zip of ``members`` (if any) and say where in the LMS it is uploaded."""
        if not members:
            return
        write_zip(path, members)
        self.written.append(path)
        self.notes.append(f"{path}: {upload}")


def describe(item: FeedbackItem) -> str:
    """ "2001 (Strong, Sam; bulk.zip!strongsam_2001_7_a.ipynb)": who, for a message."""
    entry = item.grade.roster
    name = entry.display_name if entry else None
    where = "; ".join(p for p in (name, item.grade.origin) if p)
    return f"{item.grade.student} ({where})" if where else item.grade.student


def guard_cell(text: str) -> str:
    """A cell no spreadsheet reads as a formula: a leading formula character gets a "'"."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def bounded(text: str, limit: int = MAX_CELL) -> str:
    """``text`` cut to ``limit`` characters (with a note saying so)."""
    return text if len(text) <= limit else text[: limit - len(TRUNCATED)] + TRUNCATED


def as_html(text: str, limit: int = MAX_CELL) -> str:
    """Plain feedback as one line of HTML: everything escaped (a student's output in a test
    message is text, never markup), line breaks as ``&#10;`` inside ``<pre>``."""
    body = html.escape(text, quote=True).replace("\r\n", "\n").replace("\n", "&#10;")
    wrapped = f"<pre>{body}</pre>"
    if len(wrapped) <= limit:
        return wrapped
    note = html.escape(TRUNCATED).replace("\n", "&#10;")
    room = limit - len("<pre></pre>") - len(note)
    cut = body[:room]
    cut = cut[: cut.rfind("&")] if cut.rfind("&") > cut.rfind(";") else cut  # no half entity
    return f"<pre>{cut}{note}</pre>"


def plain_part(text: str, fallback: str = "student") -> str:
    """A piece of a file name from anything a student or an LMS wrote: letters, digits, "-",
    "." and spaces only (no separator, no "_", which LMS importers split names on)."""
    cleaned = re.sub(r"[^\w.\- ]+|_", " ", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" .")[:80]
    return cleaned or fallback


def feedback_name(assignment: str, path: Path) -> str:
    """The name a student sees for a feedback file: "derivatives-feedback.html"."""
    return f"{plain_part(assignment, 'assignment').replace(' ', '-')}-feedback{path.suffix}"


def write_zip(path: Path, members: list[tuple[str, Path]]) -> None:
    """A zip of (member name, file) written atomically; names are checked, never trusted."""
    seen: set[str] = set()
    with replacing(path, "wb") as out, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, source in members:
            parts = name.split("/")
            assert name not in seen and all(p not in ("", ".", "..") for p in parts), name
            seen.add(name)
            archive.write(source, name)
