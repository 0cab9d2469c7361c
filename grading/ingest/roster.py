"""A class list (CSV) to put the gradebook's identifiers and names on submissions.

Canvas file names give only a user id and "lastfirst", Gradescope gives an SID and a typed name,
a loose notebook only its file name: matching against the roster makes one student one row.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from grading.model import Submission

# Header spellings, compared lower-case with everything but letters and digits removed.
_COLUMNS: dict[str, frozenset[str]] = {
    "name": frozenset({"name", "student", "fullname", "studentname", "displayname"}),
    "email": frozenset({"email", "emailaddress", "mail"}),
    "lms_id": frozenset({"lmsid", "canvasid", "canvasuserid", "userid", "id"}),
    "sis_id": frozenset({"sisid", "sid", "studentid", "sisuserid", "studentnumber"}),
    "first_name": frozenset({"first", "firstname", "givenname"}),
    "last_name": frozenset({"last", "lastname", "surname", "familyname"}),
}
_ID_FIELDS = ("lms_id", "sis_id", "email")


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.strip().lower())


def normalise_name(text: str) -> str:
    """Letters only, lower-case, accents removed: "Smith, Jané" -> "smithjane"."""
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in decomposed if ch.isalpha())


@dataclass(frozen=True)
class RosterEntry:
    """One student of the class list; ``line`` is where to find them in the CSV."""

    line: int
    name: str | None = None
    email: str | None = None
    lms_id: str | None = None
    sis_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @property
    def primary_id(self) -> str:
        """The identifier a gradebook keys on: LMS id, else SIS id, else email."""
        found = self.lms_id or self.sis_id or self.email
        assert found, "load_roster keeps only rows with an identifier"
        return found

    @property
    def display_name(self) -> str | None:
        joined = " ".join(p for p in (self.first_name, self.last_name) if p)
        return self.name or joined or None

    def name_keys(self) -> set[str]:
        """Normalised spellings of the name in both orders ("janesmith", "smithjane")."""
        keys: set[str] = set()
        if self.first_name or self.last_name:
            first, last = self.first_name or "", self.last_name or ""
            keys |= {normalise_name(first + last), normalise_name(last + first)}
        if self.name:
            words = [w for w in re.split(r"[\s,]+", self.name) if normalise_name(w)]
            for i in range(len(words)):
                keys.add(normalise_name("".join(words[i:] + words[:i])))
        keys.discard("")
        return keys


class Roster:
    """The class list, indexed for matching a submission to a student."""

    def __init__(self, path: Path, entries: list[RosterEntry]) -> None:
        self.path = path
        self.entries = entries
        self._lms = {e.lms_id: e for e in entries if e.lms_id}
        self._sis = {e.sis_id: e for e in entries if e.sis_id}
        self._email = {e.email.casefold(): e for e in entries if e.email}
        self._names: dict[str, list[RosterEntry]] = {}
        for entry in entries:
            for key in entry.name_keys():
                self._names.setdefault(key, []).append(entry)

    def __len__(self) -> int:
        return len(self.entries)

    def match(self, submission: Submission) -> RosterEntry | None:
        """The student by LMS id, then SIS id, then email, then unambiguous name; else None."""
        if submission.lms_id and (found := self._lms.get(submission.lms_id.strip())):
            return found
        if submission.sis_id and (found := self._sis.get(submission.sis_id.strip())):
            return found
        if submission.email and (found := self._email.get(submission.email.strip().casefold())):
            return found
        if submission.name:
            candidates = self._names.get(normalise_name(submission.name), [])
            if len(candidates) == 1:
                return candidates[0]
        return None


def _fail(path: Path, problem: str) -> ValueError:
    return ValueError(f"roster {path}: {problem}")


def load_roster(path: Path) -> Roster:
    """Read a class-list CSV; raises ValueError naming the file and the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise _fail(path, "file not found") from None
    except UnicodeDecodeError as error:
        raise _fail(
            path, f"not UTF-8 text (byte offset {error.start}); save it as CSV UTF-8"
        ) from error
    except OSError as error:
        raise _fail(path, f"cannot read it ({error.strerror})") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        if header is None:
            raise _fail(path, "empty file; expected a header row")
        columns: dict[str, int] = {}
        for index, cell in enumerate(header):
            key = _header_key(cell)
            for field_name, spellings in _COLUMNS.items():
                if key in spellings and field_name not in columns:
                    columns[field_name] = index
        if not columns:
            shown = ", ".join(header)[:80]
            raise _fail(
                path,
                f"no header row recognised (first row: {shown!r}); "
                "expected columns such as name, email, id, sis_id",
            )
        if not any(f in columns for f in _ID_FIELDS):
            raise _fail(
                path,
                "no id-like column: need one of lms_id/canvas id/user id/id, "
                f"sis_id/sid/student id/sis user id, or email (found: {', '.join(header)})",
            )
        entries: list[RosterEntry] = []
        first_seen: dict[tuple[str, str], int] = {}
        for row in reader:
            values = {
                f: (row[i].strip() or None) if i < len(row) else None for f, i in columns.items()
            }
            if not any(values.get(f) for f in _ID_FIELDS):
                continue  # blank lines, Canvas's "Points Possible" row
            line = reader.line_num
            for f in _ID_FIELDS:
                value = values.get(f)
                if value is None:
                    continue
                key = (f, value.casefold() if f == "email" else value)
                if key in first_seen:
                    raise _fail(
                        path, f"duplicate {f} {value!r} on lines {first_seen[key]} and {line}"
                    )
                first_seen[key] = line
            entries.append(RosterEntry(line=line, **values))
    except csv.Error as error:
        raise _fail(path, f"not a readable CSV file (line {reader.line_num}: {error})") from error
    return Roster(path, entries)


def apply_roster(submissions: list[Submission], roster: Roster) -> list[Submission]:
    """Copies with the roster's identifiers and name filled in; unmatched ones unchanged."""
    out: list[Submission] = []
    for submission in submissions:
        entry = roster.match(submission)
        if entry is None:
            out.append(submission)
            continue
        out.append(
            dataclasses.replace(
                submission,
                student=entry.primary_id,
                name=entry.display_name or submission.name,
                email=entry.email or submission.email,
                lms_id=entry.lms_id or submission.lms_id,
                sis_id=entry.sis_id or submission.sis_id,
            )
        )
    return out
