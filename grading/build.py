"""Compile master notebooks into ``dist/`` with Otter Assign, reproducibly.

Otter Assign names the zip after a timestamp, stamps its members with the time, gives generated
cells random ids (and drops every id of a master older than nbformat 4.5) and copies any
``__pycache__`` it finds. The committed ``dist/`` must only change when a master changes, so the
build runs Otter on a clean staged copy of the master folder, whose notebook has stable ids
(``grading.assignments.normalise_master``), and then normalises the rest.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import shutil
import tempfile
import zipfile
from pathlib import Path

import nbformat
import yaml

from .assignments import (
    ZIP_SUFFIX,
    Assignment,
    MasterError,
    master_cell_ids,
    normalise_master,
    read_notebook,
    read_questions,
)
from .autograder import KEEP_OUTPUTS_KEY, SETTINGS_KEY, assignment_limits
from .errors import GradingError
from .notebooks import hand_graded_cells

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LIMITS_FILE = "grading.yaml"  # an assignment's limits, beside its master
STAGING_IGNORE = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".ipynb_checkpoints", "samples", ".pytest_cache", ".hypothesis"
)


def build(assignment: Assignment, *, run_tests: bool = True, quiet: bool = True) -> Path:
    """Rebuild ``dist/<name>`` from its master; returns the autograder zip.

    With ``run_tests`` Otter executes the reference solutions against every test first, so a
    master whose own solutions fail never reaches ``dist/``.
    """
    from otter.assign import main as otter_assign

    questions = read_questions(assignment.master_notebook)  # ours first: its errors are clearer
    limits = read_limits(assignment)
    with tempfile.TemporaryDirectory(prefix=f"build-{assignment.name}-") as tmp:
        staged = Path(tmp) / "master" / assignment.name
        # symlinks=False: the master folder links to src/helpers, and the copy must hold files.
        shutil.copytree(assignment.master_dir, staged, symlinks=False, ignore=STAGING_IGNORE)
        stage_master(staged / assignment.master_notebook.name)
        out = Path(tmp) / "dist"
        try:
            with quiet_otter(quiet):
                otter_assign(
                    str(staged / assignment.master_notebook.name),
                    str(out),
                    no_pdfs=True,
                    no_run_tests=not run_tests,
                )
        except Exception as error:  # a master Otter refuses, or whose solutions fail its tests
            raise MasterError(
                f"{assignment.master_notebook}: otter assign failed:"
                f" {type(error).__name__}: {error}"
            ) from error
        normalise(out, assignment)
        graded_by_hand = hand_graded_cells(
            questions, nbformat.read(out / "autograder" / assignment.master_notebook.name, 4)
        )
        settings = {**limits, KEEP_OUTPUTS_KEY: graded_by_hand}
        add_settings(out / "autograder", assignment, settings)
        _replace_dir(out, assignment.dist_dir)
    return assignment.autograder_zip


def stage_master(staged_notebook: Path) -> None:
    """Rewrite the staged master with stable cell ids when it lacks them (see the docstring).

    A master that already has them is left byte for byte as it is.
    """
    nb = read_notebook(staged_notebook)
    if normalise_master(nb, staged_notebook):
        nbformat.write(nb, staged_notebook)


def normalise(out: Path, assignment: Assignment) -> None:
    """Give Otter's output stable names and cell ids (see the module docstring)."""
    zips = sorted((out / "autograder").glob(f"{assignment.name}-autograder_*.zip"))
    if len(zips) != 1:
        raise RuntimeError(
            f"otter assign produced {len(zips)} autograder zips in {out / 'autograder'}"
        )
    stable_zip = out / "autograder" / f"{assignment.name}{ZIP_SUFFIX}"
    rewrite_zip_reproducibly(zips[0], stable_zip)
    zips[0].unlink()
    known_ids = master_cell_ids(assignment.master_notebook)
    for part in ("student", "autograder"):
        path = out / part / f"{assignment.name}.ipynb"
        nb = nbformat.read(path, as_version=4)
        stabilise_cell_ids(nb, known_ids)
        nbformat.write(nb, path)


def stabilise_cell_ids(nb: nbformat.NotebookNode, known_ids: set[str]) -> None:
    """Replace Otter's random ids of generated cells by ``<previous master id>-g<n>``.

    The same generated cell then has the same id in the student and autograder notebooks,
    which is what lets tools map a student's answer cell to its reference solution.
    """
    anchor, count = "top", 0
    for cell in nb.cells:
        if cell.get("id") in known_ids:
            anchor, count = cell.id, 0
        else:
            count += 1
            cell["id"] = f"{anchor}-g{count}"


def read_limits(assignment: Assignment) -> dict[str, float]:
    """The limits of ``master/<name>/grading.yaml`` (``cell_timeout: 120`` ...), checked; {}
    without the file. Otter Assign refuses keys it does not know in its own config."""
    path = assignment.master_dir / LIMITS_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise MasterError(f"{path}: not readable YAML ({error})") from None
    try:
        return assignment_limits(data, str(path))
    except GradingError as error:
        raise MasterError(str(error)) from None


def add_settings(autograder_dir: Path, assignment: Assignment, settings: dict) -> None:
    """This tool's settings go into the zip's ``otter_config.json`` under ``grading``, where
    ``grade`` reads them and Otter ignores them (the loose copy beside the zip too): the limits
    of ``grading.yaml`` and the answer cells of the hand-graded questions, whose outputs the
    grading run keeps (known here from the master, so ``grade`` need not read it)."""

    def with_limits(text: bytes) -> bytes:
        config = json.loads(text)
        config[SETTINGS_KEY] = settings
        return json.dumps(config, indent=2).encode()

    zip_path = autograder_dir / f"{assignment.name}{ZIP_SUFFIX}"
    staged = zip_path.with_suffix(".tmp")
    rewrite_zip_reproducibly(zip_path, staged, {"otter_config.json": with_limits})
    staged.replace(zip_path)
    loose = autograder_dir / "otter_config.json"
    if loose.is_file():
        loose.write_bytes(with_limits(loose.read_bytes()))


def rewrite_zip_reproducibly(source: Path, target: Path, change: dict | None = None) -> None:
    """Copy a zip with sorted members and a fixed timestamp, so equal content gives equal bytes;
    ``change`` maps a member's name to a function of its bytes."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = src.getinfo(name).external_attr
            data = src.read(name)
            dst.writestr(info, (change or {}).get(name, lambda d: d)(data))


def _replace_dir(new: Path, target: Path) -> None:
    """Swap ``target`` for ``new`` so a failed build never leaves a half-written dist."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    shutil.move(str(new), str(target))
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def quiet_otter(quiet: bool = True):
    """Otter Assign prints its summary and a kernel's chatter; keep the build output short."""
    if not quiet:
        yield
        return
    sink = io.StringIO()
    otter_logger = logging.getLogger("otter")
    level = otter_logger.level
    otter_logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    except Exception:
        print(sink.getvalue())
        raise
    finally:
        otter_logger.setLevel(level)
