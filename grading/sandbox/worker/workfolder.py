"""Where Otter's tests run: a copy of what they would find in the submission's folder.

Under ``otter run`` the tests run in the student's kernel, in the submission folder: the
assignment's support files (``files:`` of the config), the notebook, the files the student
submitted beside it and whatever the student's cells wrote. A test reads a data file
(``pd.read_csv("data.csv")``) or imports a support module (``from checks import ...``) there.

Here tests run in the grader, in a folder of its own holding copies of those files: the
student's, as the student process reports them (``Student.on_sync``: only regular files it
can read itself, bounded in number and size), then the assignment's over them, so a student
cannot replace the instructor's data. Imports come from a second folder holding the
assignment's files alone: student files are read as data, never imported here.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

MAX_FILES = 1000
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024


def relative_path(name: str) -> PurePosixPath | None:
    """``name`` as a path inside the folder, or None if it would leave it."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\x00" in name:
        return None
    return path


class WorkFolder:
    """The tests' working folder (``work``) and import folder (``support``) of one worker."""

    def __init__(self, private: Path, support: dict[str, bytes]) -> None:
        self.support = support
        self.import_root = private / "support"
        self.root = private / "work"
        self.import_root.mkdir(parents=True, exist_ok=True)
        for name, data in support.items():
            _write(self.import_root, name, data)
        if str(self.import_root) not in sys.path:  # first, as the kernel's own folder is
            sys.path.insert(0, str(self.import_root))

    def reset(self, notebook_name: str, notebook: bytes) -> None:
        """A fresh folder for the next submission: the assignment's files and the notebook."""
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(mode=0o700)
        self.total = 0
        self.from_student: set[str] = set()  # names of the files the student's side sent
        _write(self.root, notebook_name, notebook)
        for name, data in self.support.items():
            _write(self.root, name, data)

    def take(self, files: dict) -> list[str]:
        """Files the student process sent (name -> base64), but never over the assignment's:
        returns the assignment's files the notebook rewrote (the tests read the originals)."""
        rewritten = []
        for name, encoded in list(files.items())[:MAX_FILES]:
            if not isinstance(name, str) or not isinstance(encoded, str):
                continue
            if name in self.support:
                rewritten.append(name)
                continue
            with contextlib.suppress(ValueError, OSError):
                data = base64.b64decode(encoded, validate=True)
                if len(data) > MAX_FILE_BYTES or self.total + len(data) > MAX_TOTAL_BYTES:
                    continue
                if _write(self.root, name, data):
                    self.total += len(data)
                    self.from_student.add(name)
        return rewritten

    def student_modules(self) -> set[str]:
        """Top-level modules the student's files make (``units.py``, ``pkg/__init__.py``): a
        test may import them (``student_imports``), never from this folder."""
        names = set()
        for name in self.from_student:
            parts = PurePosixPath(name).parts
            if len(parts) == 1 and parts[0].endswith(".py"):
                names.add(parts[0][:-3])
            elif len(parts) == 2 and parts[1] == "__init__.py":
                names.add(parts[0])
        return {n for n in names if n.isidentifier()}

    @contextlib.contextmanager
    def entered(self) -> Iterator[Path]:
        """Run the tests inside the folder, as Otter runs them in the submission's."""
        previous = os.getcwd()
        os.chdir(self.root)
        try:
            yield self.root
        finally:
            os.chdir(previous)


def _write(root: Path, name: str, data: bytes) -> bool:
    relative = relative_path(name)
    if relative is None:
        return False
    target = root.joinpath(*relative.parts)
    for parent in reversed(target.parents):  # the grader's own folders: no link to follow
        if parent == root or root not in parent.parents:
            continue
        if parent.is_symlink() or (parent.exists() and not parent.is_dir()):
            return False
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.is_dir():
        return False
    target.write_bytes(data)
    return True
