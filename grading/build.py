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
import logging
import shutil
import tempfile
import zipfile
from pathlib import Path

import nbformat

from .assignments import (
    ZIP_SUFFIX,
    Assignment,
    MasterError,
    master_cell_ids,
    normalise_master,
    read_notebook,
    read_questions,
)

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
STAGING_IGNORE = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".ipynb_checkpoints", "samples", ".pytest_cache", ".hypothesis"
)


def build(assignment: Assignment, *, run_tests: bool = True, quiet: bool = True) -> Path:
    """Rebuild ``dist/<name>`` from its master; returns the autograder zip.

    With ``run_tests`` Otter executes the reference solutions against every test first, so a
    master whose own solutions fail never reaches ``dist/``.
    """
    from otter.assign import main as otter_assign

    read_questions(assignment.master_notebook)  # our reading of it first: its errors are clearer
    with tempfile.TemporaryDirectory(prefix=f"build-{assignment.name}-") as tmp:
        staged = Path(tmp) / "master" / assignment.name
        # symlinks=False: the master folder links to src/helpers, and the copy must hold files.
        shutil.copytree(assignment.master_dir, staged, symlinks=False, ignore=STAGING_IGNORE)
        stage_master(staged / assignment.master_notebook.name)
        out = Path(tmp) / "dist"
        try:
            with _quiet_otter(quiet):
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


def rewrite_zip_reproducibly(source: Path, target: Path) -> None:
    """Copy a zip with sorted members and a fixed timestamp, so equal content gives equal bytes."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = src.getinfo(name).external_attr
            dst.writestr(info, src.read(name))


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
def _quiet_otter(quiet: bool):
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
