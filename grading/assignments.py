"""What an assignment is: its master notebook, its questions and where its distributions live.

The master notebook (Otter Assign format) is the single source of truth; everything else, the
question list included, is read from it rather than kept in a second place, and read with Otter
Assign's own parsing (its block delimiters, question configs and point rules), so any master
Otter Assign accepts reads here the way Otter reads it.

Every tool downstream finds a student's answer by cell id, so a master without ids (nbformat
before 4.5, as Otter's own examples are) gets ids from its cells' positions: the same master
always gets the same ids, the build hands them to Otter, and the question list names them.
"""

from __future__ import annotations

import functools
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .errors import MissingInput, UsageError

ZIP_SUFFIX = "-autograder.zip"
# Otter Assign's other master formats; R (and Quarto, R's) cannot be graded here.
R_MASTER_SUFFIXES = (".Rmd", ".rmd", ".qmd")
CELL_ID_LIMIT = 64  # nbformat 4.5: 1 to 64 of [a-zA-Z0-9-_]


@dataclass(frozen=True)
class Question:
    """One graded question of a master notebook.

    ``solution_cell_ids`` are the master cells a student's answer stands in for: the question's
    SOLUTION block, or, for a question without one, its PROMPT block (answered in place).
    """

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


class MasterError(UsageError):
    """A master notebook this tool cannot build or read: the message names the file and why."""


def discover(master_root: Path, dist_root: Path) -> list[Assignment]:
    """Every ``master/<name>/<name>.ipynb`` is an assignment; anything else is ignored.

    An R Markdown or Quarto master (``<name>/<name>.Rmd``) is an error rather than ignored: it
    looks like an assignment, and silence would leave its author wondering.
    """
    for suffix in R_MASTER_SUFFIXES:
        for master in sorted(master_root.glob(f"*/*{suffix}")):
            if master.stem == master.parent.name and not master.with_suffix(".ipynb").exists():
                raise MasterError(
                    f"{master}: an R Markdown or Quarto master; only Python notebooks"
                    f" ({master.parent.name}/{master.stem}.ipynb with a Python kernel) can be"
                    " built and graded here"
                )
    found = []
    for notebook in sorted(master_root.glob("*/*.ipynb")):
        if notebook.stem == notebook.parent.name:
            found.append(Assignment(notebook.stem, notebook.parent, dist_root / notebook.stem))
    if not found:
        raise MissingInput(
            f"{master_root}: no master notebook found (expected <name>/<name>.ipynb)"
        )
    return found


def read_master(master_notebook: Path) -> nbformat.NotebookNode:
    """The master as the build gives it to Otter Assign: see ``normalise_master``."""
    nb = read_notebook(master_notebook)
    normalise_master(nb, master_notebook)
    return nb


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """A notebook file as nbformat 4, or a ``MasterError`` naming the file.

    Cells the file gives no id keep none: nbformat fills in random ones for a 4.5 notebook
    that lacks them, which would make every build differ; ``normalise_master`` gives stable ones.
    """
    try:
        text = path.read_text(encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat's MissingIDFieldWarning: handled below
            nb = nbformat.reads(text, as_version=4)
        written = json.loads(text).get("cells")
    except FileNotFoundError:
        raise MissingInput(f"{path}: no such master notebook") from None
    except Exception as error:  # nbformat raises JSON, validation and version errors alike
        raise MasterError(f"{path}: not a readable notebook ({error})") from None
    if isinstance(written, list) and len(written) == len(nb.cells):
        for raw, cell in zip(written, nb.cells, strict=True):
            if isinstance(raw, dict) and not raw.get("id"):
                cell.pop("id", None)
    return nb


def normalise_master(nb: nbformat.NotebookNode, path: Path) -> bool:
    """Make a master what every tool here expects, in place; True if anything changed.

    Checks that it is a Python notebook, splits Markdown cells holding ```` ```otter ```` fenced
    delimiters into the raw cells Otter Assign makes of them, and gives every cell without an id
    (all of them before nbformat 4.5; fenced pieces) one derived from its position. Otter keeps
    ids in its outputs only for nbformat 4.5, hence the version bump.
    """
    from otter.assign.blocks import extract_all_fenced_otter_cells
    from otter.assign.utils import AssignNotebookFormatException

    language = nb.metadata.get("kernelspec", {}).get("language", "python")
    if str(language).lower() != "python":
        raise MasterError(
            f"{path}: its kernel's language is {language}; only Python masters can be built and"
            " graded here"
        )
    cells: list[nbformat.NotebookNode] = []
    taken = {cell["id"] for cell in nb.cells if cell.get("id")}
    changed = False
    for position, cell in enumerate(nb.cells, start=1):
        try:
            pieces = extract_all_fenced_otter_cells([cell])
        except AssignNotebookFormatException as error:
            raise MasterError(f"{path}: cell {position}: {error}") from None
        base = cell.get("id") or f"cell-{position}"
        if pieces == [cell]:
            if not cell.get("id"):
                cell["id"] = _unique(base, taken)
                changed = True
            cells.append(cell)
            continue
        changed = True
        for number, piece in enumerate(pieces, start=1):
            piece["id"] = _unique(f"{base}-{number}", taken)
            cells.append(piece)
    nb.cells = cells
    if changed:
        nb.nbformat, nb.nbformat_minor = 4, max(nb.nbformat_minor, 5)
    return changed


def _unique(candidate: str, taken: set[str]) -> str:
    """``candidate`` (cut to nbformat's length limit), suffixed until no other cell has it."""
    stem = candidate[:CELL_ID_LIMIT]
    chosen, count = stem, 1
    while chosen in taken:
        count += 1
        suffix = f"-{count}"
        chosen = stem[: CELL_ID_LIMIT - len(suffix)] + suffix
    taken.add(chosen)
    return chosen


def read_questions(master_notebook: Path) -> list[Question]:
    """The graded questions of a master notebook, in notebook order (read once per version)."""
    stat = master_notebook.stat() if master_notebook.is_file() else None
    version = (master_notebook.resolve(), stat.st_mtime_ns, stat.st_size) if stat else None
    return list(_read_questions(master_notebook, version))


@functools.lru_cache(maxsize=16)
def _read_questions(master_notebook: Path, _version: tuple | None) -> tuple[Question, ...]:
    """Questions as Otter Assign reads them: its delimiters, its configs, its point values.

    A question is graded by its tests or by hand (``manual: true``); one with neither is left
    out, as ``otter run`` leaves it out (it has no test file, so nobody can give its points,
    whatever Otter Assign's summary counts for it).
    """
    from otter.assign.assignment import Assignment as AssignConfig
    from otter.assign.blocks import BlockType, is_block_boundary_cell
    from otter.assign.question_config import QuestionConfig
    from otter.assign.tests_manager import AssignmentTestsManager
    from otter.assign.utils import is_ignore_cell

    nb = read_master(master_notebook)
    # The test format changes how a test is stored, never its points: Otter's default will do.
    tests = AssignmentTestsManager(AssignConfig())
    found: list[tuple[QuestionConfig, list[str], list[str]]] = []
    blocks: list[BlockType] = []

    def refuse(position: int, what: str) -> MasterError:
        return MasterError(f"{master_notebook}: cell {position}: {what}")

    for position, cell in enumerate(nb.cells, start=1):
        if is_ignore_cell(cell):
            continue
        if blocks and is_block_boundary_cell(cell, blocks[-1], end=True):
            blocks.pop()
            continue
        ended = next((kind for kind in BlockType if is_block_boundary_cell(cell, kind, True)), None)
        if ended is not None:
            raise refuse(position, f"END {ended.value.upper()} without its BEGIN")
        begun = next((kind for kind in BlockType if is_block_boundary_cell(cell, kind)), None)
        if begun is BlockType.QUESTION:
            if blocks:
                raise refuse(position, f"BEGIN QUESTION inside a {blocks[-1].value} block")
            found.append((_question_config(cell, position, master_notebook), [], []))
            tests.add_question(found[-1][0])
        elif begun is not None and not blocks:
            raise refuse(position, f"BEGIN {begun.value.upper()} outside a question")
        if begun is not None:
            blocks.append(begun)
            continue
        if not blocks:
            continue
        question, solutions, prompts = found[-1]
        if blocks[-1] is BlockType.SOLUTION:
            solutions.append(cell["id"])
        elif blocks[-1] is BlockType.PROMPT:
            prompts.append(cell["id"])
        elif blocks[-1] is BlockType.TESTS and cell.cell_type == "code":
            try:
                tests.read_test(cell, question)
            except (ValueError, SyntaxError, AssertionError) as error:
                raise refuse(position, f"a test of {question.name}: {error}") from None
    if blocks:
        raise MasterError(f"{master_notebook}: a {blocks[-1].value} block is never ended")
    questions = []
    for question, solutions, prompts in found:
        if not question.manual and not tests.has_tests(question):
            continue
        try:
            points = tests.determine_question_point_value(question)
        except (ValueError, TypeError) as error:
            raise MasterError(f"{master_notebook}: {question.name}: {error}") from None
        questions.append(
            Question(
                name=str(question.name),
                points=float(points),
                manual=bool(question.manual),
                solution_cell_ids=tuple(solutions or prompts),
            )
        )
    names = [str(q.name) for q, _, _ in found]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise MasterError(f"{master_notebook}: question names used twice: {', '.join(duplicated)}")
    return tuple(questions)


def _question_config(cell: nbformat.NotebookNode, position: int, master_notebook: Path):
    """A BEGIN QUESTION cell's config, checked by Otter's own ``QuestionConfig``."""
    from otter.assign.blocks import get_cell_config
    from otter.assign.question_config import QuestionConfig

    where = f"{master_notebook}: cell {position} (BEGIN QUESTION)"
    try:
        config = get_cell_config(cell)
    except Exception as error:  # yaml's errors have no common base worth naming here
        raise MasterError(f"{where}: not YAML ({error})") from None
    if not isinstance(config, dict):
        raise MasterError(f"{where}: its config is not a YAML mapping")
    try:
        return QuestionConfig(config)
    except (ValueError, TypeError) as error:
        raise MasterError(f"{where}: {error}") from None


def master_cell_ids(master_notebook: Path) -> set[str]:
    """Cell ids of the master notebook (Otter Assign keeps them in its outputs)."""
    return {cell["id"] for cell in read_master(master_notebook).cells}
