"""The compatibility fixtures: which autograder each suite builds and which submissions it grades.

Two kinds of suite (sources under ``suites/``):

- ``GeneratedSuite``: a loose folder of test files, ``otter_config.json`` and support files,
  zipped by ``otter generate``; its submissions are written by hand in ``submissions/``
  (``<name>.nb.py`` a notebook in percent form, ``<name>.script.py`` a Python script,
  ``<name>.zip/`` a folder zipped into an Otter-export-like zip with the student's files), the
  genuinely different ones written out, every other one described in ``variants.yaml`` as a
  change of one of those (``variants.py``).
- ``AssignedSuite``: an Otter Assign master, compiled by ``otter assign``; its submissions are the
  generated student notebook with answer cells filled from ``answers/<question>/<kind>.py``, and
  the untouched notebook with one hostile cell from ``tamper/`` added.

Every submission is checked against ``otter run``'s result (the reference, cached by content in
``reference/``), except what a hostile submission changes: see ``Submission.expect``.
Builds go to ``.cache/otter_compat/`` under a hash of the suite's sources, never into the tree.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from grading.build import quiet_otter, rewrite_zip_reproducibly
from grading.model import GRADED, TAMPERED

from .notebooks import notebook_bytes, notebook_from_text
from .variants import SubmissionFile, submission_files

HERE = Path(__file__).resolve().parent
SUITES_DIR = HERE / "suites"
CACHE_DIR = HERE.parents[1] / ".cache" / "otter_compat"

REFERENCE = "reference"  # status and scores equal otter run's for this very submission
HOSTILE = "hostile"  # status tampered, scores equal otter run's for the honest ``base``
HOSTILE_MARK = "# --- hostile ---"  # in an answer file: honest answer above, attack below
# In an attack: it ends the student process, a crash the pipeline grades like any other (the
# question it stopped costs its own points; nothing to flag), not an attempt on the grading.
CRASH_MARK = "# expect: graded (a crash)"
ANSWER_KINDS = ("correct", "mistaken", "tricky")  # one notebook each, every question filled
ANSWER_TAG = "otter_answer_cell"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Submission:
    name: str  # the file name a grader sees: "passes_all.ipynb", "script.py", "export.zip"
    data: bytes
    expect: str = REFERENCE
    base: str | None = None  # HOSTILE: the honest submission whose reference scores count
    status: str = TAMPERED  # HOSTILE: the status the pipeline must give it
    graded: bool = True  # False: an honest base, only graded by `otter run`
    why: str = ""  # for the README and for assertion messages

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Built:
    """A suite compiled: its autograder zip and its submissions written to disk."""

    suite: Suite
    autograder_zip: Path
    folder: Path
    submissions: dict[str, Submission] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return self.folder / "submissions" / name

    @property
    def graded(self) -> list[Submission]:
        return [s for s in self.submissions.values() if s.graded]


class Suite:
    """Sources of one autograder and its submissions."""

    name: str
    folder: Path

    def source_files(self) -> list[Path]:
        """Every file the autograder is built from (its key), not the submissions."""
        raise NotImplementedError

    def compile(self, staging: Path, out_zip: Path) -> Path:
        """Build the autograder zip (and what the submissions need) inside ``staging``."""
        raise NotImplementedError

    def make_submissions(self, staging: Path) -> list[Submission]:
        raise NotImplementedError

    def source_digest(self) -> dict[str, str]:
        """Relative path -> sha256 of every source file: what a reference's key describes."""
        return {
            str(p.relative_to(SUITES_DIR)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.source_files())
        }

    def key(self) -> str:
        blob = json.dumps({"kind": type(self).__name__, "sources": self.source_digest()})
        return hashlib.sha256(blob.encode()).hexdigest()

    def build(self) -> Built:
        """The built suite, from the cache when its sources have not changed."""
        folder = CACHE_DIR / f"{self.name}-{self.key()[:16]}"
        staging = folder / "staging"
        out_zip = folder / "autograder.zip"
        if not (folder / "done").is_file():
            shutil.rmtree(folder, ignore_errors=True)
            staging.mkdir(parents=True)
            with quiet_otter():
                self.compile(staging, out_zip)
            (folder / "done").write_text("")
        built = Built(self, out_zip, folder)
        for submission in self.make_submissions(staging):
            if submission.name in built.submissions:
                raise ValueError(f"{self.name}: two submissions named {submission.name}")
            built.submissions[submission.name] = submission
            path = built.path(submission.name)
            if not path.is_file() or path.read_bytes() != submission.data:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(submission.data)
        return built


@dataclass
class GeneratedSuite(Suite):
    """Loose tests zipped by ``otter generate`` (like Otter's own test_grade and test_run)."""

    name: str
    folder: Path
    files: tuple[str, ...] = ()  # support files, relative to ``folder``

    def source_files(self) -> list[Path]:
        paths = list((self.folder / "tests").glob("*.py"))
        paths += [self.folder / "otter_config.json", *(self.folder / f for f in self.files)]
        requirements = self.folder / "requirements.txt"
        return paths + ([requirements] if requirements.is_file() else [])

    def compile(self, staging: Path, out_zip: Path) -> Path:
        from otter.generate import main as otter_generate

        shutil.copytree(self.folder, staging, dirs_exist_ok=True, ignore=_not_sources)
        raw = staging / "generated.zip"
        requirements = staging / "requirements.txt"
        with contextlib.chdir(staging):
            otter_generate(
                tests_dir="tests",
                output_path=str(raw),
                config="otter_config.json",
                requirements=str(requirements) if requirements.is_file() else None,
                no_requirements=not requirements.is_file(),
                no_environment=True,
                files=list(self.files),
            )
        rewrite_zip_reproducibly(raw, out_zip)
        return out_zip

    def make_submissions(self, staging: Path) -> list[Submission]:
        files = submission_files(self.folder / "submissions")
        names = sorted({PurePosixPath(path).parts[0] for path in files})
        return [_hand_written(name, files) for name in names]


@dataclass
class AssignedSuite(Suite):
    """An Otter Assign master, with answers filled into its student notebook."""

    name: str
    folder: Path  # holds the master notebook
    master: str  # its file name
    shared: tuple[Path, ...] = ()  # folders whose files are staged next to the master
    answers: Path | None = None
    tamper: tuple[str, ...] = ()  # files of ``tamper_dir``, one hostile notebook each
    tamper_dir: Path | None = None

    def source_files(self) -> list[Path]:
        paths = [p for p in self.folder.rglob("*") if p.is_file() and not _ignored(p)]
        for folder in self.shared:
            paths += [p for p in folder.rglob("*") if p.is_file() and not _ignored(p)]
        return paths

    def compile(self, staging: Path, out_zip: Path) -> Path:
        from otter.assign import main as otter_assign

        master_dir = staging / "master"
        shutil.copytree(self.folder, master_dir, ignore=_not_sources)
        for folder in self.shared:
            shutil.copytree(folder, master_dir, dirs_exist_ok=True, ignore=_not_sources)
        dist = staging / "dist"
        otter_assign(str(master_dir / self.master), str(dist), no_pdfs=True, no_run_tests=True)
        (raw,) = (dist / "autograder").glob("*-autograder_*.zip")
        rewrite_zip_reproducibly(raw, out_zip)
        return out_zip

    def student_notebook(self, staging: Path) -> nbformat.NotebookNode:
        return nbformat.read(staging / "dist" / "student" / self.master, as_version=4)

    def make_submissions(self, staging: Path) -> list[Submission]:
        blank = self.student_notebook(staging)
        stem = Path(self.master).stem
        cells = answer_cells(blank)
        answers = self.read_answers(set(cells))
        out = [_notebook(f"{stem}-blank", blank, "the untouched student notebook")]
        for kind in ANSWER_KINDS:
            chosen = {q: texts[kind] for q, texts in answers.items() if kind in texts}
            if chosen:
                filled = fill(blank, cells, chosen)
                out.append(_notebook(f"{stem}-{kind}", filled, f"every {kind} answer"))
        for question, texts in sorted(answers.items()):
            honest, _, attack = texts["hostile"].partition(HOSTILE_MARK)
            if not attack:
                raise ValueError(f"{self.name}: {question}/hostile.py has no '{HOSTILE_MARK}' line")
            base = _notebook(
                f"{stem}-honest-{question}",
                fill(blank, cells, {question: honest.rstrip() + "\n"}),
                f"the honest part of hostile-{question}",
                graded=False,
            )
            out.append(base)
            hostile = fill(blank, cells, {question: texts["hostile"]})
            why = f"{question} answered with an attack: {_first_statement(attack)}"
            status = GRADED if CRASH_MARK in attack else TAMPERED
            out.append(_hostile(f"{stem}-hostile-{question}", hostile, base.name, why, status))
        blank_name = out[0].name
        for tamper in self.tamper:
            source = (self.tamper_dir / tamper).read_text()
            attacked = with_cell_after_init(blank, source)
            why = source.splitlines()[0].lstrip("# ")  # each tamper file opens with what it does
            out.append(_hostile(f"{stem}-tamper-{Path(tamper).stem}", attacked, blank_name, why))
        edited = with_trivial_metadata_tests(blank)
        if edited is not None:
            why = "the untouched notebook whose metadata tests were replaced by passing ones"
            out.append(_notebook(f"{stem}-metadata-tests-edited", edited, why))
        return out

    def read_answers(self, questions: set[str]) -> dict[str, dict[str, str]]:
        answers: dict[str, dict[str, str]] = {}
        for folder in sorted(p for p in self.answers.iterdir() if p.is_dir()):
            if folder.name not in questions:
                raise ValueError(f"{folder}: no question {folder.name} in {self.master}")
            answers[folder.name] = {p.stem: p.read_text() for p in sorted(folder.glob("*.py"))}
            missing = {"correct", "mistaken", "hostile"} - set(answers[folder.name])
            if missing:
                raise ValueError(f"{folder}: no {', '.join(sorted(missing))}.py")
        if set(answers) != questions:
            raise ValueError(f"{self.answers}: no answers for {sorted(questions - set(answers))}")
        return answers


def answer_cells(nb: nbformat.NotebookNode) -> dict[str, int]:
    """Question -> index of its answer cell: the answer cell before ``grader.check("q")``."""
    found: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        source = cell.source.strip()
        if cell.cell_type != "code" or not source.startswith('grader.check("'):
            continue
        question = source.split('"')[1]
        answer = next(
            i
            for i in range(index - 1, -1, -1)
            if ANSWER_TAG in nb.cells[i].get("metadata", {}).get("tags", [])
        )
        found[question] = answer
    return found


def fill(
    nb: nbformat.NotebookNode, cells: dict[str, int], answers: dict[str, str]
) -> nbformat.NotebookNode:
    filled = copy.deepcopy(nb)
    for question, text in answers.items():
        filled.cells[cells[question]].source = text.rstrip("\n")
    return filled


def with_cell_after_init(nb: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """``nb`` with a code cell added after its first code cell (Otter Assign's init cell), so
    that it runs before every check."""
    attacked = copy.deepcopy(nb)
    first = next(i for i, c in enumerate(attacked.cells) if c.cell_type == "code")
    cell = nbformat.v4.new_code_cell(source.rstrip("\n"))
    cell.pop("id", None)
    attacked.cells.insert(first + 1, cell)
    return attacked


def with_trivial_metadata_tests(nb: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    """The notebook with the tests Otter Assign keeps in its metadata replaced by tests every
    answer passes: a student can edit them, and grading must not read them."""
    tests = nb.metadata.get("otter", {}).get("tests")
    if not tests:
        return None
    edited = copy.deepcopy(nb)
    ok_format = edited.metadata["otter"].get("OK_FORMAT", True)
    for name in edited.metadata["otter"]["tests"]:
        if ok_format:
            edited.metadata["otter"]["tests"][name] = {
                "name": name,
                "points": 100,
                "suites": [{"cases": [{"code": ">>> True\nTrue"}], "type": "doctest"}],
            }
        else:
            edited.metadata["otter"]["tests"][name] = (
                "from otter.test_files import test_case\n\nOK_FORMAT = False\n\n"
                f'name = "{name}"\npoints = 100\n\n@test_case()\ndef test_nothing():\n    pass\n'
            )
    return edited


def _notebook(stem: str, nb: nbformat.NotebookNode, why: str, graded: bool = True) -> Submission:
    return Submission(f"{stem}.ipynb", notebook_bytes(nb), graded=graded, why=why)


def _hostile(
    stem: str, nb: nbformat.NotebookNode, base: str, why: str, status: str = TAMPERED
) -> Submission:
    return Submission(
        f"{stem}.ipynb", notebook_bytes(nb), expect=HOSTILE, base=base, why=why, status=status
    )


def _first_statement(code: str) -> str:
    """The first line of ``code`` that is not blank, a comment or an import."""
    for line in code.splitlines():
        text = line.strip()
        if text and not text.startswith(("#", "import ", "from ")):
            return text.split("  # ")[0][:90]
    return ""


def _hand_written(name: str, files: dict[str, SubmissionFile]) -> Submission:
    """A submission written by hand (``name`` in ``files``, or a ``name/`` folder of them): a
    percent-form notebook, a script or a zip folder."""
    written = files.get(name)
    if written and name.endswith(".nb.py"):
        nb = notebook_from_text(written.data.decode(), written.origin)
        stem = name.removesuffix(".nb.py")
        return Submission(f"{stem}.ipynb", notebook_bytes(nb), why=written.why)
    if written and name.endswith(".script.py"):
        stem = name.removesuffix(".script.py")
        return Submission(f"{stem}.py", written.data, why=written.why)
    if not written and name.endswith(".zip"):
        folder = f"{name}/"
        members = {p.removeprefix(folder): f for p, f in files.items() if p.startswith(folder)}
        return Submission(name, _zip_files(members))
    origin = written.origin if written else f"{name}/"
    raise ValueError(f"{origin}: not a .nb.py, .script.py or .zip/ submission")


def _zip_files(members: dict[str, SubmissionFile]) -> bytes:
    """A zip of ``members`` (in path order) with stable bytes; ``*.nb.py`` become notebooks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in sorted(members, key=PurePosixPath):
            data = members[member].data
            if member.endswith(".nb.py"):
                origin = members[member].origin
                member = member.removesuffix(".nb.py") + ".ipynb"
                data = notebook_bytes(notebook_from_text(data.decode(), origin))
            info = zipfile.ZipInfo(member, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _ignored(path: Path) -> bool:
    return "__pycache__" in path.parts or path.name.startswith(".")


def _not_sources(_folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n == "__pycache__" or n.startswith(".") or n == "submissions"]


MATRIX = SUITES_DIR / "matrix"
SUITES: dict[str, Suite] = {
    suite.name: suite
    for suite in [
        GeneratedSuite("ok_doctests", SUITES_DIR / "ok_doctests"),
        GeneratedSuite("exception_tests", SUITES_DIR / "exception_tests", files=("tolerance.py",)),
        GeneratedSuite("config_seed", SUITES_DIR / "config_seed"),
        GeneratedSuite("config_seed_variable", SUITES_DIR / "config_seed_variable"),
        AssignedSuite(
            "matrix_ok",
            MATRIX / "ok",
            "matrix.ipynb",
            shared=(MATRIX / "support",),
            answers=MATRIX / "answers",
            tamper=("otter_results.py", "doctest_runner.py", "numpy_checks.py", "read_tests.py"),
            tamper_dir=MATRIX / "tamper",
        ),
        AssignedSuite(
            "matrix_exception",
            MATRIX / "exception",
            "matrix.ipynb",
            shared=(MATRIX / "support",),
            answers=MATRIX / "answers",
            tamper=(
                "otter_results.py",
                "doctest_runner.py",
                "exception_runner.py",
                "numpy_checks.py",
                "read_tests.py",
            ),
            tamper_dir=MATRIX / "tamper",
        ),
        AssignedSuite(
            "extras",
            SUITES_DIR / "extras" / "master",
            "extras.ipynb",
            answers=SUITES_DIR / "extras" / "answers",
        ),
    ]
}
