"""Walk the inputs, recognise each kind of submission source, and turn it into records.

Kinds: a notebook or a Python script; a folder (searched recursively); an Otter export zip; a
Canvas bulk download; a Gradescope export (zip or unpacked folder). Every student-supplied byte
goes through ``archives.SafeZip`` and ``validate`` before it becomes a Submission.

A submission keeps the files the student handed in beside its notebook, as ``otter run`` finds
them in the submission folder (``otter run`` extracts an export zip whole): everything else in an
Otter export zip but Otter's ``__zip_filename__`` marker, a student's other files in a Canvas
download or a Gradescope submission folder, and the other files under the notebook's folder in
a folder that holds that one notebook. Where a student handed in several notebooks, none gets
files: which belong to which cannot be told. Where there is no notebook but exactly one Python
script (and no zip), the script is the submission, as Otter grades it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grading.model import Rejected, Submission, SubmittedFile, sha256_file, submission_key

from ..errors import MissingInput
from .archives import (
    DEFAULT_LIMITS,
    MB,
    ArchiveError,
    ArchiveLimits,
    Budget,
    MemberError,
    SafeZip,
)
from .canvas import CanvasName, looks_like_canvas, parse_canvas_name
from .gradescope import METADATA_NAME, GradescopeEntry, parse_metadata, student_id
from .moodle import MoodleFolder, looks_like_moodle, parse_moodle_folder
from .otter_export import (
    MARKERS,
    ZIP_FILENAME,
    export_time,
    is_otter_export,
    root_archives,
    root_notebooks,
)
from .validate import notebook_problem, script_problem

# Files that may sit beside a notebook and are not graded: skipped without a word.
_SILENT_SUFFIXES = (".pdf",)
_GRADABLE = (".ipynb", ".zip", ".py")  # what a folder search picks up
_SKIPPED_DIRS = ("__MACOSX", "__pycache__")
_MAX_METADATA_BYTES = 20 * 1024 * 1024


@dataclass
class IngestResult:
    """What the inputs hold: gradable submissions and the inputs a person must look at."""

    submissions: list[Submission] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True)
class _Identity:
    """Who a notebook belongs to, before its path and hash are known."""

    student: str
    source_format: str
    name: str | None = None
    email: str | None = None
    lms_id: str | None = None
    sis_id: str | None = None
    submitted_at: datetime | None = None
    late: bool = False
    attempt: int = 0


def _canvas_identity(parsed: CanvasName) -> _Identity:
    return _Identity(
        student=parsed.key,
        source_format="canvas",
        name=None if parsed.user_id is None else parsed.name,
        lms_id=parsed.user_id,
        late=parsed.late,
        attempt=parsed.attempt,
    )


def _moodle_identity(folder: MoodleFolder) -> _Identity:
    blind = folder.name.casefold() == "participant" or not folder.name
    return _Identity(
        student=folder.participant_id,
        source_format="moodle",
        name=None if blind else folder.name,
        lms_id=folder.participant_id,
    )


def _suffix(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return "." + base.rsplit(".", 1)[1].lower() if "." in base.lstrip(".") else ""


def _basename(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _main_file(names: list[str]) -> str | None:
    """The one file Otter would grade among one student's files: the only notebook (with no
    zip beside it), else the only Python script; None when there is none or several."""
    notebooks = [n for n in names if _suffix(n) == ".ipynb"]
    if any(_suffix(n) == ".zip" for n in names):
        return None
    if len(notebooks) == 1:
        return notebooks[0]
    scripts = [n for n in names if _suffix(n) == ".py" and _basename(n) != "__init__.py"]
    return scripts[0] if not notebooks and len(scripts) == 1 else None


class _Collector:
    def __init__(self, workdir: Path, limits: ArchiveLimits) -> None:
        self.workdir = workdir
        self.limits = limits
        self.result = IngestResult()
        self._seen: set[Path] = set()
        self._skip_dir = workdir.resolve()

    # -- records ----------------------------------------------------------------------------

    def _reject(self, origin: str, reason: str, identities: list[_Identity] | None = None) -> None:
        for ident in identities or [None]:
            student = ident.student if ident else None
            self.result.rejected.append(Rejected(origin=origin, reason=reason, student=student))

    def _adopt(
        self,
        archive: SafeZip,
        owner: Callable[[str], list[_Identity] | None],
    ) -> None:
        """Record an archive's unsafe members, attributed to a student when one is known."""
        for raw, reason in archive.unsafe:
            self._reject(archive.member_origin(raw), reason, owner(raw))

    def _emit(
        self,
        path: Path,
        origin: str,
        identities: list[_Identity],
        files: list[tuple[str, Path]] | None = None,
    ) -> None:
        """A submission of this notebook (or script) and the files beside it (name, path)."""
        check = script_problem if _suffix(path.name) == ".py" else notebook_problem
        problem = check(path)
        if problem is not None:
            self._reject(origin, problem, identities)
            return
        beside = tuple(SubmittedFile(name, file, sha256_file(file)) for name, file in files or ())
        digest = submission_key(sha256_file(path), beside)
        for ident in identities:
            self.result.submissions.append(
                Submission(
                    path=path,
                    origin=origin,
                    sha256=digest,
                    files=beside,
                    **dataclasses.asdict(ident),
                )
            )

    def _capped(
        self,
        sizes: dict[str, int],
        origin_of: Callable[[str], str],
        identities: list[_Identity] | None,
    ) -> list[str]:
        """The files beside a notebook that fit the caps, in order; the rest are listed once."""
        limits = self.limits
        kept: list[str] = []
        dropped: list[str] = []
        total = 0
        for name, size in sizes.items():
            fits = size <= limits.max_member_bytes and total + size <= limits.max_beside_bytes
            if fits and len(kept) < limits.max_beside_files:
                kept.append(name)
                total += size
            else:
                dropped.append(name)
        if dropped:
            shown = ", ".join(_basename(n) for n in dropped[:3]) + (", ..." if dropped[3:] else "")
            self._reject(
                origin_of(dropped[0]),
                f"{len(dropped)} file(s) handed in beside the notebook were left out of grading"
                f" ({shown}): at most {limits.max_beside_files} files,"
                f" {limits.max_beside_bytes // MB} MB in all and {limits.max_member_bytes // MB}"
                " MB each are passed on",
                identities,
            )
        return kept

    def _archive_files(
        self,
        archive: SafeZip,
        names: dict[str, str],
        dest: Path,
        identities: list[_Identity] | None,
    ) -> list[tuple[str, Path]]:
        """Extract the members handed in beside a notebook (member -> name beside it)."""
        sizes = {member: archive.members[member].file_size for member in names}
        kept = self._capped(sizes, archive.member_origin, identities)
        files: dict[str, Path] = {}  # one file per name: a later upload of it replaces it
        for member in kept:
            path = self._extract(archive, member, dest, identities)
            if path is not None:
                files[names[member]] = path
        return list(files.items())

    def finish(self) -> IngestResult:
        self.result.submissions.sort(key=lambda s: (s.origin, s.student))
        self.result.rejected.sort(key=lambda r: (r.origin, r.student or "", r.reason))
        return self.result

    # -- inputs on disk ---------------------------------------------------------------------

    def add(self, path: Path) -> None:
        if path.is_dir():
            self._directory(path)
        elif path.is_file():
            self._loose_file(path, str(path))
        else:
            self._reject(str(path), "not a regular file or folder")

    def _directory(self, root: Path) -> None:
        found = False
        files: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            if METADATA_NAME in filenames:
                self._gradescope_dir(here)
                dirnames[:] = []
                found = True
                continue
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not d.startswith(".")
                and d not in _SKIPPED_DIRS
                and (here / d).resolve() != self._skip_dir
            )
            files += [here / f for f in sorted(filenames) if not f.startswith(".")]
        for owner, members in self._folder_units(root, files):
            main = _main_file([str(p) for p in members])
            if main is not None:  # one student's folder (or file): the files beside go with it
                found = True
                beside = self._folder_files(Path(main), members) if len(members) > 1 else []
                self._loose_file(Path(main), main, owner, beside)
                continue
            for path in members:
                if _suffix(path.name) in (".ipynb", ".zip"):
                    found = True
                    self._loose_file(path, str(path), owner)
        if not found:
            self._reject(
                str(root),
                "no notebooks (.ipynb), Python scripts (.py) or submission archives (.zip) in"
                " this folder",
            )

    @staticmethod
    def _folder_units(root: Path, files: list[Path]) -> list[tuple[str | None, list[Path]]]:
        """(owner, files) per student: the whole folder when it holds one submission at its top,
        else one unit per subfolder (a student's folder, which names the student) and one per
        notebook, zip or (beside neither) script directly in the folder."""
        main = _main_file([str(p) for p in files])
        if main is not None and Path(main).parent == root:  # one submission's folder
            return [(None, files)]
        units: dict[str, list[Path]] = {}
        loose: list[Path] = []
        for path in files:
            parts = path.relative_to(root).parts
            if len(parts) > 1:
                units.setdefault(parts[0], []).append(path)
            else:
                loose.append(path)
        # Scripts directly in the folder are submissions only beside no notebook or zip there
        # (a class of scripts); beside notebooks they are helpers, not students.
        kinds = (
            (".ipynb", ".zip")
            if any(_suffix(p.name) in (".ipynb", ".zip") for p in loose)
            else _GRADABLE
        )
        chosen = [p for p in loose if _suffix(p.name) in kinds and p.name != "__init__.py"]
        return [(None, [path]) for path in chosen] + list(units.items())

    def _folder_files(self, main: Path, members: list[Path]) -> list[tuple[str, Path]]:
        """The regular files under the notebook's folder, named relative to it (links and
        special files are never followed)."""
        sizes = {}
        for path in members:
            if path == main or not path.is_relative_to(main.parent) or path.is_symlink():
                continue
            with contextlib.suppress(OSError):
                info = path.stat()
                if stat.S_ISREG(info.st_mode):
                    sizes[str(path)] = info.st_size
        kept = self._capped(sizes, str, None)
        return [(Path(p).relative_to(main.parent).as_posix(), Path(p)) for p in kept]

    def _loose_file(
        self,
        path: Path,
        origin: str,
        owner: str | None = None,
        files: list[tuple[str, Path]] | None = None,
    ) -> None:
        resolved = path.resolve()
        if resolved in self._seen:
            return
        self._seen.add(resolved)
        suffix = _suffix(path.name)
        parsed = parse_canvas_name(path.name)
        identities = [_canvas_identity(parsed)] if parsed else None
        moodle = parse_moodle_folder(owner) if identities is None and owner else None
        if moodle is not None:
            identities = [_moodle_identity(moodle)]
        if identities is None and owner is not None:
            kind = "otter-export" if suffix == ".zip" else "notebook"
            identities = [_Identity(owner, kind)]
        if suffix in (".ipynb", ".py"):
            self._emit(path, origin, identities or [_Identity(path.stem, "notebook")], files)
        elif suffix == ".zip":
            self._archive(path, origin, 0, Budget(self.limits.max_total_bytes), identities)
        else:
            self._reject(
                origin,
                f"unsupported file type '{suffix or path.name}': "
                "expected a notebook (.ipynb), a Python script (.py) or a zip archive",
            )

    # -- archives ---------------------------------------------------------------------------

    def _archive(
        self,
        path: Path,
        origin: str,
        depth: int,
        budget: Budget,
        identities: list[_Identity] | None,
    ) -> None:
        """Open one zip and hand it to the reader for its kind.

        ``identities`` is set when the owner is already known (a Canvas member, a Gradescope
        submission file, a Canvas-named zip): such a zip can only be an Otter export.
        """
        try:
            archive = SafeZip.open(path, origin, self.limits, budget)
        except ArchiveError as error:
            self._reject(origin, str(error), identities)
            return
        with archive:
            names = archive.names()
            dest = self.workdir / "extracted" / sha256_file(path)[:16]
            if identities is None and any(_basename(n) == METADATA_NAME for n in names):
                self._gradescope_zip(archive, names, dest, depth)
            elif identities is None and not is_otter_export(names) and looks_like_canvas(names):
                self._canvas(archive, names, dest, depth)
            elif identities is None and not is_otter_export(names) and looks_like_moodle(names):
                self._moodle(archive, names, dest, depth)
            else:
                self._otter(archive, names, dest, depth, identities)

    def _extract(
        self, archive: SafeZip, name: str, dest: Path, identities: list[_Identity] | None
    ) -> Path | None:
        try:
            return archive.extract(name, dest)
        except MemberError as error:
            self._reject(archive.member_origin(name), str(error), identities)
            return None

    def _nested(
        self,
        archive: SafeZip,
        name: str,
        dest: Path,
        depth: int,
        identities: list[_Identity] | None,
    ) -> None:
        """Open a zip found inside ``archive`` (at ``depth``), if nesting allows it."""
        origin = archive.member_origin(name)
        if depth + 1 > self.limits.max_depth:
            self._reject(
                origin,
                "archive nested too deeply (zips inside zips are opened "
                f"{self.limits.max_depth} level deep)",
                identities,
            )
            return
        path = self._extract(archive, name, dest, identities)
        if path is not None:
            self._archive(path, origin, depth + 1, archive.budget, identities)

    def _otter(
        self,
        archive: SafeZip,
        names: list[str],
        dest: Path,
        depth: int,
        identities: list[_Identity] | None,
    ) -> None:
        """An Otter export: exactly one notebook at the root."""
        stamp = self._export_time(archive, names)
        if identities is None:
            identities = [_Identity(archive.path.stem, "otter-export", submitted_at=stamp)]
        else:
            identities = [
                dataclasses.replace(i, submitted_at=i.submitted_at or stamp) for i in identities
            ]
        self._adopt(archive, lambda _raw: identities)
        notebooks = root_notebooks(names)
        if len(notebooks) == 1:
            self._otter_main(archive, names, notebooks[0], dest, identities)
            return
        if len(notebooks) > 1:
            self._reject(
                archive.origin,
                f"{len(notebooks)} notebooks at the root of the zip ({', '.join(notebooks)}); "
                "an Otter export holds exactly one",
                identities,
            )
            return
        inner = root_archives(names)
        if len(inner) == 1:  # a zip wrapped around the export
            self._nested(archive, inner[0], dest, depth, identities)
            return
        script = _main_file([n for n in names if "/" not in n])
        if script is not None:  # no notebook: Otter grades the one Python script
            self._otter_main(archive, names, script, dest, identities)
            return
        held = [n for n in names if _basename(n) not in MARKERS]
        reason = "no notebook (.ipynb) at the root of the zip"
        if held:
            reason += f" (it holds: {', '.join(held[:5])}{', ...' if len(held) > 5 else ''})"
        self._reject(archive.origin, reason, identities)

    def _otter_main(
        self,
        archive: SafeZip,
        names: list[str],
        main: str,
        dest: Path,
        identities: list[_Identity],
    ) -> None:
        """The export's notebook (or script), with every other member but Otter's marker."""
        beside = {n: n for n in names if n not in (main, ZIP_FILENAME)}
        files = self._archive_files(archive, beside, dest, identities)
        path = self._extract(archive, main, dest, identities)
        if path is not None:
            self._emit(path, archive.member_origin(main), identities, files)

    def _export_time(self, archive: SafeZip, names: list[str]) -> datetime | None:
        """The export time from the zip's name, else from Otter's ``__zip_filename__``."""
        stamp = export_time(archive.path.name)
        if stamp is None and ZIP_FILENAME in names:
            try:
                recorded = archive.read_bytes(ZIP_FILENAME, 1024)
            except MemberError:
                return None
            stamp = export_time(recorded.decode("utf-8", "replace").strip())
        return stamp

    def _canvas(self, archive: SafeZip, names: list[str], dest: Path, depth: int) -> None:
        """A Canvas bulk download: every root file is ``lastfirst_userid_subid_file``."""

        def owner(raw: str) -> list[_Identity] | None:
            parsed = parse_canvas_name(re.split(r"[/\\]", raw)[-1])
            return [_canvas_identity(parsed)] if parsed else None

        self._adopt(archive, owner)
        handled: set[str] = set()
        silent: dict[str, tuple[_Identity, list[str]]] = {}
        parsed_names: dict[str, CanvasName] = {}
        by_student: dict[str, list[str]] = {}
        for name in names:
            parsed = None if "/" in name else parse_canvas_name(name)
            if parsed is None:
                self._reject(
                    archive.member_origin(name),
                    "not a Canvas submission file name "
                    "(expected lastfirst_userid_submissionid_filename)",
                )
                continue
            parsed_names[name] = parsed
            by_student.setdefault(parsed.key, []).append(name)
        # A student's one notebook (or script) takes the student's other files along.
        main_of = {s: m for s, group in by_student.items() if (m := _main_file(group))}
        for name, parsed in parsed_names.items():
            origin = archive.member_origin(name)
            # Canvas stamps each member with the upload time: the submission time for late policy.
            uploaded = (
                datetime(*archive.members[name].date_time) if name in archive.members else None
            )
            ident = dataclasses.replace(_canvas_identity(parsed), submitted_at=uploaded)
            suffix = _suffix(name)
            main = main_of.get(ident.student)
            if main is not None:
                if name == main:
                    group = by_student[ident.student]
                    ordered = sorted(group, key=lambda n: parsed_names[n].attempt)
                    beside = {n: parsed_names[n].original for n in ordered if n != main}
                    files = self._archive_files(archive, beside, dest, [ident])
                    path = self._extract(archive, name, dest, [ident])
                    if path is not None:
                        self._emit(path, origin, [ident], files)
                continue
            if suffix == ".ipynb":
                handled.add(ident.student)
                path = self._extract(archive, name, dest, [ident])
                if path is not None:
                    self._emit(path, origin, [ident])
            elif suffix == ".zip":
                handled.add(ident.student)
                self._nested(archive, name, dest, depth, [ident])
            elif suffix in _SILENT_SUFFIXES:
                silent.setdefault(ident.student, (ident, []))[1].append(name)
            else:
                handled.add(ident.student)
                self._reject(
                    origin,
                    f"unsupported file type '{suffix or parsed.original}' from {parsed.name} "
                    f"(user {parsed.key}): expected a notebook (.ipynb), a Python script"
                    " (.py) or an Otter export zip",
                    [ident],
                )
        for student, (ident, files) in silent.items():
            if student not in handled:
                self._reject(
                    archive.member_origin(files[0]),
                    f"no notebook from {ident.name} (user {student}); only {', '.join(files)}",
                    [ident],
                )

    def _moodle(self, archive: SafeZip, names: list[str], dest: Path, depth: int) -> None:
        """A Moodle download: a folder ``Full Name_<participant id>_assignsubmission_file`` per
        student, holding the files as the student handed them in."""

        def owner(raw: str) -> list[_Identity] | None:
            folder = parse_moodle_folder(re.split(r"[/\\]", raw)[0])
            return [_moodle_identity(folder)] if folder else None

        self._adopt(archive, owner)
        groups: dict[str, list[str]] = {}
        for name in names:
            top = name.split("/", 1)[0] if "/" in name else ""
            if not top or parse_moodle_folder(top) is None:
                self._reject(
                    archive.member_origin(name),
                    "not in a Moodle submission folder"
                    " (expected Full Name_participantid_assignsubmission_file/...)",
                )
                continue
            groups.setdefault(top, []).append(name)
        for top, members in groups.items():
            folder = parse_moodle_folder(top)
            assert folder is not None
            ident = [_moodle_identity(folder)]
            main = _main_file(members)
            if main is not None:
                inside = main.rsplit("/", 1)[0] + "/"
                beside = {
                    n: n[len(inside) :] for n in members if n != main and n.startswith(inside)
                }
                files = self._archive_files(archive, beside, dest, ident)
                path = self._extract(archive, main, dest, ident)
                if path is not None:
                    self._emit(path, archive.member_origin(main), ident, files)
                continue
            gradable = [n for n in members if _suffix(n) in (".ipynb", ".zip")]
            for name in gradable:
                if _suffix(name) == ".zip":
                    self._nested(archive, name, dest, depth, ident)
                elif (path := self._extract(archive, name, dest, ident)) is not None:
                    self._emit(path, archive.member_origin(name), ident)
            if not gradable:
                self._reject(
                    archive.member_origin(top),
                    f"no notebook from {folder.name} (participant {folder.participant_id})",
                    ident,
                )

    # -- Gradescope -------------------------------------------------------------------------

    def _gradescope_zip(self, archive: SafeZip, names: list[str], dest: Path, depth: int) -> None:
        meta = min(
            (n for n in names if _basename(n) == METADATA_NAME), key=lambda n: (n.count("/"), n)
        )
        prefix = meta[: -len(METADATA_NAME)]
        self._adopt(archive, lambda _raw: None)
        try:
            text = archive.read_bytes(meta, _MAX_METADATA_BYTES).decode("utf-8")
            entries = parse_metadata(text)
        except (MemberError, UnicodeDecodeError, ValueError) as error:
            self._reject(archive.member_origin(meta), f"unreadable submission metadata: {error}")
            entries = {}
        folders: dict[str, list[str]] = {}
        for name in names:
            rest = name[len(prefix) :] if name.startswith(prefix) else None
            if rest and "/" in rest:
                folder = rest.split("/", 1)[0]
                folders.setdefault(folder, []).append(name)

        def beside(names: dict[str, str], ids: list[_Identity]) -> list[tuple[str, Path]]:
            return self._archive_files(archive, names, dest, ids)

        self._gradescope(
            entries,
            folders,
            origin_of=archive.member_origin,
            folder_origin=lambda f: archive.member_origin(prefix + f + "/"),
            materialize=lambda n, ids: self._extract(archive, n, dest, ids),
            open_zip=lambda n, ids: self._nested(archive, n, dest, depth, ids),
            beside=beside,
            strip=len(prefix),
        )

    def _gradescope_dir(self, root: Path) -> None:
        """An unpacked Gradescope export: the folder holding ``submission_metadata.yml``."""
        meta = root / METADATA_NAME
        try:
            entries = parse_metadata(meta.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            self._reject(str(meta), f"unreadable submission metadata: {error}")
            entries = {}
        folders: dict[str, list[str]] = {}
        for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for dirpath, dirnames, filenames in os.walk(sub):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                rel = Path(dirpath).relative_to(root).as_posix()
                folders.setdefault(sub.name, []).extend(
                    f"{rel}/{f}" for f in sorted(filenames) if not f.startswith(".")
                )

        def open_zip(name: str, ids: list[_Identity]) -> None:
            path = root / name
            if path.resolve() not in self._seen:
                self._seen.add(path.resolve())
                self._archive(path, str(path), 0, Budget(self.limits.max_total_bytes), ids)

        def beside(names: dict[str, str], ids: list[_Identity]) -> list[tuple[str, Path]]:
            sizes = {
                n: (root / n).stat().st_size
                for n in names
                if (root / n).is_file() and not (root / n).is_symlink()
            }
            kept = self._capped(sizes, lambda n: str(root / n), ids)
            return [(names[n], root / n) for n in kept]

        self._gradescope(
            entries,
            folders,
            origin_of=lambda n: str(root / n),
            folder_origin=lambda f: str(root / f),
            materialize=lambda n, ids: root / n,
            open_zip=open_zip,
            beside=beside,
            strip=0,
        )

    def _gradescope(
        self,
        entries: dict[str, GradescopeEntry],
        folders: dict[str, list[str]],
        *,
        origin_of: Callable[[str], str],
        folder_origin: Callable[[str], str],
        materialize: Callable[[str, list[_Identity]], Path | None],
        open_zip: Callable[[str, list[_Identity]], None],
        beside: Callable[[dict[str, str], list[_Identity]], list[tuple[str, Path]]],
        strip: int,
    ) -> None:
        """One Submission per submitter per notebook; groups share the file.

        ``strip`` characters of each name lead to the submission folders (the zip's prefix);
        ``beside`` brings the files handed in beside a notebook (name -> name in its folder).
        """
        for folder in sorted(set(folders) | set(entries)):
            entry = entries.get(folder)
            if entry is None and not folder.startswith("submission_"):
                continue
            identities = self._gradescope_identities(folder, entry)
            files = folders.get(folder, [])
            notebooks = [n for n in files if _suffix(n) == ".ipynb"]
            zips = [n for n in files if _suffix(n) == ".zip"]
            if not files:
                self._reject(
                    folder_origin(folder),
                    "listed in submission_metadata.yml but the export has no files for it",
                    identities,
                )
                continue
            if not notebooks and not zips and _main_file(files) is None:
                listed = ", ".join(_basename(n) for n in files[:5])
                self._reject(
                    folder_origin(folder),
                    "no notebook (.ipynb), Python script (.py) or Otter export zip in this"
                    f" submission ({listed})",
                    identities,
                )
                continue
            main = _main_file(files)
            if main is not None:
                others = {n: n[strip:].split("/", 1)[1] for n in files if n != main}
                path = materialize(main, identities)
                if path is not None:
                    self._emit(path, origin_of(main), identities, beside(others, identities))
                continue
            for name in notebooks:
                path = materialize(name, identities)
                if path is not None:
                    self._emit(path, origin_of(name), identities)
            for name in zips:
                open_zip(name, identities)

    @staticmethod
    def _gradescope_identities(folder: str, entry: GradescopeEntry | None) -> list[_Identity]:
        if entry is None or not entry.submitters:
            when = entry.created_at if entry else None
            return [_Identity(folder, "gradescope", submitted_at=when)]
        return [
            _Identity(
                student=student_id(person, folder),
                source_format="gradescope",
                name=person.name,
                email=person.email,
                sis_id=person.sid,
                submitted_at=entry.created_at,
            )
            for person in entry.submitters
        ]


def find_submissions(
    paths: list[Path], workdir: Path, *, limits: ArchiveLimits = DEFAULT_LIMITS
) -> IngestResult:
    """Find every submission in ``paths``; archives are unpacked under ``workdir/extracted``.

    A missing path is the caller's mistake and raises FileNotFoundError; everything wrong with
    a student's files becomes a Rejected record instead.
    """
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise MissingInput(f"no such file or folder: {', '.join(missing)}")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    collector = _Collector(workdir, limits)
    for path in paths:
        collector.add(path)
    return collector.finish()
