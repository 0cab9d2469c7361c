"""Small Otter autograder zips written by the tests themselves (what `otter assign` would ship):
``otter_config.json`` and exception-format test files, one per question."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path


def exception_test(
    question: str, body: str, *, params: str = "env", points: float = 1, **case: object
) -> str:
    """An Otter exception-format test file with one test case; ``case`` holds the case's
    keywords (``hidden``, ``success_message``, ``failure_message``)."""
    keywords = ", ".join(f"{k}={v!r}" for k, v in {"points": points, **case}.items())
    lines = [f"    {line}" for line in body.strip().splitlines()]
    return "\n".join(
        [
            "from otter.test_files import test_case",
            "",
            "OK_FORMAT = False",
            "",
            f"name = {question!r}",
            f"points = {points!r}",
            "",
            f"@test_case({keywords})",
            f"def test_{question}({params}):",
            *lines,
            "",
        ]
    )


def write_autograder(path: Path, tests: dict[str, str], **config: object) -> Path:
    """An autograder zip at ``path``: ``tests`` maps question -> test file source."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("otter_config.json", json.dumps({"lang": "python", **config}))
        for question, source in tests.items():
            zf.writestr(f"tests/{question}.py", source)
    return path
