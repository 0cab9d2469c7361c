"""What the pipeline needs to know about an autograder zip, read once on the host."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from otter.test_files import ExceptionTestFile

from .model import sha256_file


@dataclass(frozen=True)
class AutograderInfo:
    path: Path
    sha256: str
    assignment: str | None  # Otter's assignment name, checked against each notebook
    questions: dict[str, float]  # autograded question -> points
    show_hidden: bool  # whether students may see hidden test results (after publication)


def read_autograder(path: Path) -> AutograderInfo:
    """Validate an Otter autograder zip and read its questions and visibility settings."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: autograder zip not found")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "otter_config.json" not in names and "run_autograder" not in names:
                raise ValueError(f"{path}: not an Otter autograder zip (no otter_config.json)")
            config = (
                json.loads(zf.read("otter_config.json")) if "otter_config.json" in names else {}
            )
            questions = {}
            for name in sorted(n for n in names if n.startswith("tests/") and n.endswith(".py")):
                test_file = ExceptionTestFile.from_string(zf.read(name).decode(), path=name)
                questions[test_file.name] = float(test_file.possible)
    except zipfile.BadZipFile:
        raise ValueError(f"{path}: not a zip file") from None
    if not questions:
        raise ValueError(f"{path}: the autograder zip holds no tests/*.py")
    return AutograderInfo(
        path=path,
        sha256=sha256_file(path),
        assignment=config.get("assignment_name"),
        questions=questions,
        show_hidden=bool(config.get("show_hidden", False)),
    )
