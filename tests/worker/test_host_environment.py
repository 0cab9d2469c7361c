"""The host sandbox binds the Python environment wherever it lives: a clone under /tmp with its
.venv grades like any other, while nothing else of the host shows through the private root."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import nbformat
import pytest

from grading.model import GRADED
from grading.notebooks import answer_cell_ids, fill_answers, reference_submission
from grading.results import read_result
from grading.sandbox import HostLauncher, Limits, WarmEngine, host
from grading.sandbox.worker import hostroot

from ..conftest import missing_tool

SECRET = "hidden-beside-the-venv"
# q1a's answer: right only if the file beside the venv is unreadable and the venv unwritable.
# The marker is split so that the notebook itself (in the student's scratch) does not hold it.
PROBE = f"""
import glob, os, sys
MARKER = {SECRET[:7]!r} + {SECRET[7:]!r}
SEEN = []
for path in glob.glob("/tmp/**", recursive=True):
    try:
        with open(path, errors="ignore") as f:
            if MARKER in f.read():
                SEEN.append(path)
    except OSError:
        pass
for folder in (sys.prefix, os.path.dirname(os.path.dirname(os.__file__))):
    try:
        open(os.path.join(folder, "written-by-a-student"), "w").close()
        SEEN.append(folder)
    except OSError:
        pass
def f_prime(x):
    return 0 * x if SEEN else 12 * x**3 - 4 * x + 7
"""


@pytest.fixture(scope="module")
def environment_under_tmp():
    """A venv whose prefix is under /tmp, where the private root mounts an empty tmpfs, that
    imports the running environment's packages through a .pth line; beside it a secret file
    and a copy of the worker package (a clone under /tmp holds both)."""
    folder = Path(tempfile.mkdtemp(prefix="grading-env-", dir="/tmp"))
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = venv / "lib" / version / "site-packages"
    (site / "running-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (folder / "secret.txt").write_text(SECRET)
    shutil.copytree(host.WORKER_HOME / "worker", folder / "home" / "worker")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _require(tier: str) -> None:
    if tier == "strong" and host.strongest_tier() != "strong":
        missing_tool("the strong tier needs root and unshare")
    if tier == "namespaces" and not host._unshare_works(host.USER_NAMESPACE):
        missing_tool("the namespaces tier needs unprivileged user namespaces")


def _probing_submission(assignment, path: Path) -> Path:
    student = nbformat.read(assignment.student_notebook, as_version=4)
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    reference = reference_submission(student, autograder)
    (q1a,) = [q for q in assignment.questions() if q.name == "q1a"]
    (cell_id,) = answer_cell_ids(autograder, q1a.solution_cell_ids)
    nbformat.write(fill_answers(reference, {cell_id: PROBE}), path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("tier", ["strong", "namespaces"])
def test_a_venv_under_tmp_grades_in_the_host_sandbox_and_shows_nothing_beside_it(
    tier, environment_under_tmp, assignment, autograded, monkeypatch, tmp_path
):
    _require(tier)
    monkeypatch.setattr(host, "WORKER_HOME", environment_under_tmp / "home")
    python = environment_under_tmp / "venv" / "bin" / "python"
    engine = WarmEngine(HostLauncher(tier, python=str(python)))
    submission = _probing_submission(assignment, tmp_path / "probe.ipynb")
    limits = Limits(cell_timeout=30, timeout=240)
    try:
        run = engine.run_submission(None, assignment.autograder_zip, submission, tmp_path, limits)
    finally:
        engine.close()
    result = read_result(run, tmp_path, engine=engine.name, isolation=tier, timeout=240)
    assert result.status == GRADED, result.reason
    scores = {q.name: q.score for q in result.questions}
    assert scores == {q.name: q.points for q in autograded}
    assert not list((environment_under_tmp / "venv").rglob("written-by-a-student"))


def test_a_folder_that_would_show_the_sandbox_or_tmp_refuses_with_the_reason():
    root = "/tmp/grading-worker-abc"
    for folder in ("/", "/tmp"):
        with pytest.raises(hostroot.EnvironmentRefused, match=f"includes {folder},.*{root}"):
            hostroot._bindable([folder], root, "/srv/course")
    with pytest.raises(hostroot.EnvironmentRefused, match="/grading/venv"):
        hostroot._bindable(["/grading/venv"], root, "/srv/course")


def test_the_working_folder_stays_out_and_system_folders_are_not_bound_twice(capsys):
    folders = ["/srv/course", "/tmp/clone/.venv", "/usr/lib/python3/dist-packages"]
    kept = hostroot._bindable(folders, "/tmp/grading-worker-abc", "/srv/course/graded")
    assert kept == ["/tmp/clone/.venv"]
    assert "left out of the sandbox: /srv/course" in capsys.readouterr().err


def test_the_worker_package_is_bound_even_inside_a_folder_left_out():
    worker = "/srv/course/grading/sandbox"
    kept = hostroot._bindable(["/srv/course/grading"], "/tmp/r", "/srv/course/grading/x", [worker])
    assert kept == [worker]


def test_the_folders_an_editable_install_maps_to_are_part_of_the_environment(monkeypatch):
    finder = type(sys)("__editable___course_0_1_finder")
    finder.MAPPING = {"course": "/srv/course/src/course"}
    finder.NAMESPACES = {"course_extras": ["/srv/extras/course_extras"]}
    monkeypatch.setitem(sys.modules, finder.__name__, finder)
    assert {"/srv/course/src/course", "/srv/extras/course_extras"} <= set(
        hostroot.editable_folders()
    )
