"""A class list to put the gradebook's identifiers and names on submissions.

Canvas file names give only a user id and "lastfirst", Gradescope gives an SID and a typed name,
a loose notebook only its file name: matching against the roster makes one student one row.

Besides a hand-made CSV (``kind`` "generic"), the LMS's own gradebook downloads are rosters, so
the instructor can fill in and upload back the file the LMS gave:

- Canvas (Grades -> Export): ``Student, ID, SIS User ID, SIS Login ID, Section, ...``, a
  ``    Points Possible`` row (and, for manually posted assignments, a "Manual Posting" row)
  under the header; both have no id and are skipped. The test student ("Student, Test") is a
  real row and is kept. Comma or semicolon separated, with or without a BOM.
- Blackboard Learn Grade Center (Work Offline -> Download): ``Last Name, First Name, Username,
  Student ID, Last Access, Availability, <name> [Total Pts: 100 Score] |<column id>, ...``;
  tab-delimited UTF-16 when saved as .xls, or comma CSV in UTF-8.
- Moodle (Export -> Plain text file): ``First name, Last name, ID number, Institution,
  Department, Email address, <Module>: <item> (Real), ..., Last downloaded from this course``.
- Moodle assignment grading worksheet (kind "moodle_worksheet"): ``Identifier, Full name,
  Email address, Status, Grade, ..., Last modified (grade), Feedback comments``; the
  participant id of ``Identifier`` ("Participant 123") is read as the LMS id.

The encoding (UTF-8 or UTF-16, by BOM or by the NUL bytes of UTF-16 text) and the delimiter
(tab, comma or semicolon: whichever splits the header into the most cells) are sniffed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from grading.model import Submission

from ..errors import UsageError

# Header spellings, compared lower-case with everything but letters and digits removed. The
# LMS downloads use them too: Canvas "Student"/"ID"/"SIS User ID"/"SIS Login ID"/"Section",
# Blackboard "Last Name"/"First Name"/"Username"/"Student ID", Moodle "First name"/"Last name"/
# "ID number"/"Email address".
_COLUMNS: dict[str, frozenset[str]] = {
    "name": frozenset({"name", "student", "fullname", "studentname", "displayname"}),
    "email": frozenset({"email", "emailaddress", "mail"}),
    "lms_id": frozenset({"lmsid", "canvasid", "canvasuserid", "userid", "id", "identifier"}),
    "sis_id": frozenset({"sisid", "sid", "studentid", "sisuserid", "studentnumber", "idnumber"}),
    "first_name": frozenset({"first", "firstname", "givenname"}),
    "last_name": frozenset({"last", "lastname", "surname", "familyname"}),
    "sis_login_id": frozenset({"sisloginid"}),
    "username": frozenset({"username", "login", "loginid", "userlogin", "netid"}),
    "section": frozenset({"section", "sections", "sectionname"}),
}
# Columns that identify a student: a row needs one of them, and none may repeat.
_ID_FIELDS = ("lms_id", "sis_id", "email", "username", "sis_login_id")
# Compared without case: the LMS treats logins and addresses so.
_FOLDED = frozenset({"email", "username", "sis_login_id"})
_NAME_FIELDS = ("name", "first_name", "last_name")

KINDS = ("canvas", "blackboard", "moodle", "moodle_worksheet", "generic")


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.strip().lower())


def normalise_name(text: str) -> str:
    """Letters only, lower-case, accents removed: "Smith, Jané" -> "smithjane"."""
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in decomposed if ch.isalpha())


@dataclass(frozen=True)
class RosterEntry:
    """One student of the class list; ``line`` is where to find them in the file.

    ``row`` is the file's whole row as read (header -> cell), so an export can copy the
    identity columns exactly as the LMS wrote them.
    """

    line: int
    name: str | None = None
    email: str | None = None
    lms_id: str | None = None
    sis_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    section: str | None = None
    sis_login_id: str | None = None
    username: str | None = None
    row: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def primary_id(self) -> str:
        """The identifier a gradebook keys on: LMS id, SIS id, email, username, else login."""
        found = self.lms_id or self.sis_id or self.email or self.username or self.sis_login_id
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
    """The class list, indexed for matching a submission to a student.

    ``header`` is the file's first row in its order; ``kind`` is "canvas", "blackboard",
    "moodle" or "generic", told from the header.
    """

    def __init__(
        self,
        path: Path,
        entries: list[RosterEntry],
        *,
        header: list[str] | None = None,
        kind: str = "generic",
    ) -> None:
        if kind not in KINDS:
            raise UsageError(f"roster kind must be one of {', '.join(KINDS)}, not {kind!r}")
        self.path = path
        self.entries = entries
        self.header = list(header or [])
        self.kind = kind
        self._lms = {e.lms_id: e for e in entries if e.lms_id}
        self._sis = {e.sis_id: e for e in entries if e.sis_id}
        self._email = {e.email.casefold(): e for e in entries if e.email}
        self._username = {e.username.casefold(): e for e in entries if e.username}
        self._login = {e.sis_login_id.casefold(): e for e in entries if e.sis_login_id}
        # A notebook named after the student's SIS id or mailbox ("jsmith.ipynb" for
        # jsmith@uni.edu): only mailboxes that name one student count.
        self._sis_folded = {e.sis_id.casefold(): e for e in entries if e.sis_id}
        mailboxes: dict[str, list[RosterEntry]] = {}
        for entry in entries:
            if entry.email and "@" in entry.email:
                mailboxes.setdefault(entry.email.split("@")[0].casefold(), []).append(entry)
        self._mailbox = {box: found[0] for box, found in mailboxes.items() if len(found) == 1}
        self._names: dict[str, list[RosterEntry]] = {}
        for entry in entries:
            for key in entry.name_keys():
                self._names.setdefault(key, []).append(entry)

    def __len__(self) -> int:
        return len(self.entries)

    def match(self, submission: Submission) -> RosterEntry | None:
        """The student by LMS id, SIS id, email, username or login, unambiguous name; else None.

        A username (Blackboard) or SIS login (Canvas) is looked for among the submission's SIS
        id, email and gradebook key (a loose notebook's file stem, say); the gradebook key is
        also tried as a SIS id and as the part of an email address before the @.
        """
        if submission.lms_id and (found := self._lms.get(submission.lms_id.strip())):
            return found
        if submission.sis_id and (found := self._sis.get(submission.sis_id.strip())):
            return found
        if submission.email and (found := self._email.get(submission.email.strip().casefold())):
            return found
        for value in (submission.sis_id, submission.email, submission.student):
            if not value:
                continue
            key = value.strip().casefold()
            if found := self._username.get(key) or self._login.get(key):
                return found
        key = submission.student.strip().casefold()
        if found := self._sis_folded.get(key) or self._mailbox.get(key):
            return found
        if submission.name:
            candidates = self._names.get(normalise_name(submission.name), [])
            if len(candidates) == 1:
                return candidates[0]
        return None


def _fail(path: Path, problem: str) -> UsageError:
    return UsageError(f"roster {path}: {problem}")


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (BOM or not) or UTF-16 (BOM, or told by its NUL bytes) to text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"  # the BOM says which byte order, and is dropped
    elif len(data) >= 2 and data[1] == 0 and data[0] != 0:
        encoding = "utf-16-le"
    elif len(data) >= 2 and data[0] == 0 and data[1] != 0:
        encoding = "utf-16-be"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        if encoding == "utf-8-sig":
            problem = f"not UTF-8 text (byte offset {error.start}); save it as CSV UTF-8"
        else:
            problem = f"not readable as UTF-16 text (byte offset {error.start})"
        raise _fail(path, problem) from error


def _delimiter(text: str) -> str:
    """Tab, comma or semicolon: whichever splits the first non-blank line into most cells."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, cells = ",", 0
    for candidate in (",", "\t", ";"):
        try:
            count = len(next(csv.reader([first], delimiter=candidate), []))
        except csv.Error:
            continue
        if count > cells:
            best, cells = candidate, count
    return best


def detect_kind(header: list[str]) -> str:
    """Which LMS wrote a gradebook download with this header, or "generic"."""
    stripped = [cell.strip() for cell in header]
    keys = {_header_key(cell) for cell in header}
    if (
        stripped
        and stripped[0] in ("Student", "LastName")
        and {"ID", "SIS Login ID", "Section"} <= set(stripped)
    ):
        return "canvas"
    if {"lastname", "firstname", "username"} <= keys and (
        keys & {"studentid", "lastaccess", "availability"}
        or any(re.search(r"\|\d+\s*$", cell) for cell in stripped)
    ):
        return "blackboard"
    if {"identifier", "fullname", "grade", "lastmodifiedgrade"} <= keys:
        return "moodle_worksheet"
    if (
        {"firstname", "emailaddress"} <= keys
        and keys & {"lastname", "surname"}
        and (
            keys & {"idnumber", "lastdownloadedfromthiscourse"}
            or any(cell.endswith("(Real)") for cell in stripped)
        )
    ):
        return "moodle"
    return "generic"


def _unformula(value: str) -> str:
    """Canvas writes a name starting with "=" as ="...", so Excel does not run it."""
    match = re.fullmatch(r'="(.*)"', value)
    return match.group(1) if match else value


def load_roster(path: Path) -> Roster:
    """Read a class list or an LMS gradebook download; ValueError names the file and problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _fail(path, "file not found") from None
    except OSError as error:
        raise _fail(path, f"cannot read it ({error.strerror})") from error
    text = _decode(path, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
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
                "sis_id/sid/student id/sis user id/id number, email, username or "
                f"sis login id (found: {', '.join(header)})",
            )
        entries: list[RosterEntry] = []
        first_seen: dict[tuple[str, str], int] = {}
        for row in reader:
            values = {
                f: (row[i].strip() or None) if i < len(row) else None for f, i in columns.items()
            }
            if not any(values.get(f) for f in _ID_FIELDS):
                continue  # blank lines, Canvas's "Points Possible" and "Manual Posting" rows
            line = reader.line_num
            for f in _ID_FIELDS:
                value = values.get(f)
                if value is None:
                    continue
                key = (f, value.casefold() if f in _FOLDED else value)
                if key in first_seen:
                    raise _fail(
                        path, f"duplicate {f} {value!r} on lines {first_seen[key]} and {line}"
                    )
                first_seen[key] = line
            if values.get("lms_id") and _header_key(header[columns["lms_id"]]) == "identifier":
                # A Moodle grading worksheet's "Participant 123" (the word follows the site's
                # language): the participant id, as Moodle's download folders write it.
                number = re.search(r"(\d+)\s*\Z", values["lms_id"])
                values["lms_id"] = number.group(1) if number else None
                if not any(values.get(f) for f in _ID_FIELDS):
                    continue
            for f in _NAME_FIELDS:
                if values.get(f):
                    values[f] = _unformula(values[f])
            raw: dict[str, str] = {}
            for i, column in enumerate(header):
                raw.setdefault(column, row[i] if i < len(row) else "")
            entries.append(RosterEntry(line=line, row=raw, **values))
    except csv.Error as error:
        raise _fail(path, f"not a readable CSV file (line {reader.line_num}: {error})") from error
    return Roster(path, entries, header=header, kind=detect_kind(header))


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
