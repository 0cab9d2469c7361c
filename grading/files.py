"""Writing files that people and later runs read: whole or not at all.

The one place that writes through a temporary file and a rename, so a reader (or a run killed
half-way) never sees half a file. Light on purpose: the grading CLI's start-up imports it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path


@contextlib.contextmanager
def replacing(path: Path, mode: str = "w", **open_args):
    """Open a temporary file beside ``path``; on success it replaces ``path``, else vanishes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **open_args) as out:
            yield out
        os.chmod(tmp, 0o644)  # mkstemp makes it private; these files are for people to read
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write(path: Path, text: str, encoding: str = "utf-8") -> None:
    with replacing(path, "w", encoding=encoding, newline="") as out:
        out.write(text)


def atomic_copy(source: Path, target: Path) -> None:
    with replacing(target, "wb") as out, open(source, "rb") as data:
        shutil.copyfileobj(data, out)


def cache_dir() -> Path:
    """This tool's cache (wheelhouse, parsed autograders): ``$XDG_CACHE_HOME`` or ~/.cache."""
    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return root / "notebook-grading"


def safe_name(text: str) -> str:
    """A file-name-safe rendering of a student identifier."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:80] or "student"
