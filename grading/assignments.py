"""What an assignment is: its master notebook, its questions and where its distributions live.

The master notebook (Otter Assign format) is the single source of truth; everything else, the
question list included, is read from it rather than kept in a second place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from .errors import MissingInput, UsageError

ZIP_SUFFIX = "-autograder.zip"


@dataclass(frozen=True)
class Question:
    """One graded question of a master notebook."""

    name: str
    points: float
    manual: bool
    solution_cell_ids: tuple[str, ...]


@dataclass(frozen=True)
class Assignment:
    """An assignment compiled from ``master/<name>/<name>.ipynb`` into ``dist/<name>/``."""

    name: str
    master_dir: Path
    dist_dir: Path

    @property
    def master_notebook(self) -> Path:
        return self.master_dir / f"{self.name}.ipynb"

    @property
    def student_notebook(self) -> Path:
        return self.dist_dir / "student" / f"{self.name}.ipynb"

    @property
    def autograder_notebook(self) -> Path:
        return self.dist_dir / "autograder" / f"{self.name}.ipynb"

    @property
    def autograder_zip(self) -> Path:
        return self.dist_dir / "autograder" / f"{self.name}{ZIP_SUFFIX}"

    @property
    def samples_dir(self) -> Path:
        return self.master_dir / "samples"

    def questions(self) -> list[Question]:
        return read_questions(self.master_notebook)


def discover(master_root: Path, dist_root: Path) -> list[Assignment]:
    """Every ``master/<name>/<name>.ipynb`` is an assignment; anything else is ignored."""
    found = []
    for notebook in sorted(master_root.glob("*/*.ipynb")):
        if notebook.stem == notebook.parent.name:
            found.append(Assignment(notebook.stem, notebook.parent, dist_root / notebook.stem))
    if not found:
        raise MissingInput(
            f"{master_root}: no master notebook found (expected <name>/<name>.ipynb)"
        )
    return found


def _raw_config(cell: nbformat.NotebookNode, marker: str) -> dict | None:
    """The YAML of a raw Otter cell that starts with ``marker``, else None."""
    if cell.cell_type != "raw":
        return None
    lines = cell.source.strip().splitlines()
    if not lines or lines[0].strip().upper() != marker:
        return None
    config = yaml.safe_load("\n".join(lines[1:])) or {}
    if not isinstance(config, dict):
        raise UsageError(f"{marker} cell {cell.get('id')} does not hold a YAML mapping")
    return config


def read_questions(master_notebook: Path) -> list[Question]:
    """The questions of a master notebook, in notebook order, with their solution cells."""
    nb = nbformat.read(master_notebook, as_version=4)
    questions: list[Question] = []
    current: dict | None = None
    in_solution = False
    solution_ids: list[str] = []
    for cell in nb.cells:
        config = _raw_config(cell, "# BEGIN QUESTION")
        first_line = cell.source.strip().upper() if cell.cell_type == "raw" else ""
        if config is not None:
            if "name" not in config:
                raise UsageError(f"{master_notebook}: a BEGIN QUESTION cell has no name")
            current, solution_ids = config, []
        elif first_line == "# END QUESTION" and current is not None:
            questions.append(
                Question(
                    name=str(current["name"]),
                    points=float(current.get("points", 1)),
                    manual=bool(current.get("manual", False)),
                    solution_cell_ids=tuple(solution_ids),
                )
            )
            current = None
        elif first_line == "# BEGIN SOLUTION":
            in_solution = True
        elif first_line == "# END SOLUTION":
            in_solution = False
        elif in_solution and current is not None:
            solution_ids.append(cell.id)
    names = [q.name for q in questions]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise UsageError(f"{master_notebook}: question names used twice: {', '.join(duplicated)}")
    return questions


def master_cell_ids(master_notebook: Path) -> set[str]:
    """Cell ids of the master notebook (Otter Assign keeps them in its outputs)."""
    return {cell.id for cell in nbformat.read(master_notebook, as_version=4).cells}
