"""What the pipeline needs to know about an autograder zip, read once on the host.

Reading the questions takes Otter's own test-file parser, and importing Otter costs seconds;
what it finds is cached per zip hash (``~/.cache/notebook-grading/autograders/``), so a
later ``grade`` of the same zip starts without importing Otter at all.
"""

from __future__ import annotations

import contextlib
import json
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import GradingError, MissingInput
from .files import atomic_write, cache_dir
from .model import sha256_file

CACHE_VERSION = 1


class AutograderError(GradingError, ValueError):
    """The file is not an Otter autograder zip this tool can use."""


@dataclass(frozen=True)
class AutograderInfo:
    path: Path
    sha256: str
    assignment: str | None  # Otter's assignment name, checked against each notebook
    questions: dict[str, float]  # autograded question -> points
    show_hidden: bool  # whether students may see hidden test results (after publication)


def read_autograder(path: Path, cache: Path | None = None) -> AutograderInfo:
    """Validate an Otter autograder zip and read its questions and visibility settings."""
    if not path.is_file():
        raise MissingInput(f"{path}: autograder zip not found")
    sha256 = sha256_file(path)
    cached = (cache or cache_dir() / "autograders") / f"{sha256}.json"
    try:
        data = json.loads(cached.read_text(encoding="utf-8"))
        if data.pop("version") == CACHE_VERSION:
            return AutograderInfo(path=path, sha256=sha256, **data)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    info = _parse(path, sha256)
    fields = {k: v for k, v in asdict(info).items() if k not in ("path", "sha256")}
    with contextlib.suppress(OSError):  # a read-only home: parse again next time
        atomic_write(cached, json.dumps({"version": CACHE_VERSION, **fields}))
    return info


def _parse(path: Path, sha256: str) -> AutograderInfo:
    from otter.test_files import ExceptionTestFile

    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "otter_config.json" not in names and "run_autograder" not in names:
                raise AutograderError(f"{path}: not an Otter autograder zip (no otter_config.json)")
            config = (
                json.loads(zf.read("otter_config.json")) if "otter_config.json" in names else {}
            )
            questions = {}
            for name in sorted(n for n in names if n.startswith("tests/") and n.endswith(".py")):
                test_file = ExceptionTestFile.from_string(zf.read(name).decode(), path=name)
                questions[test_file.name] = float(test_file.possible)
    except zipfile.BadZipFile:
        raise AutograderError(f"{path}: not a zip file") from None
    if not questions:
        raise AutograderError(f"{path}: the autograder zip holds no tests/*.py")
    return AutograderInfo(
        path=path,
        sha256=sha256,
        assignment=config.get("assignment_name"),
        questions=questions,
        show_hidden=bool(config.get("show_hidden", False)),
    )
