"""Each assignment's own environment: the requirements its autograder zip carries, read and
compared with the grading environment; the base image (or this Python) where it satisfies them,
else a layer (or a venv) built once and reused; a clear error for what cannot be installed."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from grading.api import grade
from grading.gradebook import Gradebook
from grading.model import GRADED
from grading.notebooks import answer_cell_ids, fill_answers, reference_submission
from grading.sandbox import WarmEngine
from grading.sandbox.environment import assignment_environment, image_markers
from grading.sandbox.image import constraints_from_environment, ensure_wheelhouse, in_the_image
from grading.sandbox.layers import build_layer, layer_tag
from grading.sandbox.service import stop_all
from grading.sandbox.zip_requirements import (
    RequirementsError,
    missing,
    pins,
    read_requirements,
)

EXTRA = "tabulate==0.9.0"  # tiny, pure Python, in neither the grading image nor this venv
UNRESOLVABLE = "tabulate==99.0"
# q1a's answer: right only where the package imports and works.
USES_EXTRA = """
import tabulate
TABLE = tabulate.tabulate([[1, 2]])
def f_prime(x):
    return 12 * x**3 - 4 * x + 7 if "1" in TABLE else 0 * x
"""


def with_environment(source: Path, target: Path, *, pip=(), conda=(), requirements=None) -> Path:
    """A copy of ``source`` with ``pip`` lines and ``conda`` dependencies added to its
    environment.yml, and a requirements.txt if given."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "environment.yml":
                environment = yaml.safe_load(data)
                deps = environment["dependencies"]
                (pip_list,) = [d["pip"] for d in deps if isinstance(d, dict)]
                pip_list.extend(pip)
                deps[:0] = list(conda)
                data = yaml.safe_dump(environment).encode()
            zout.writestr(item, data)
        if requirements is not None:
            zout.writestr("requirements.txt", requirements)
    return target


@pytest.fixture
def needs_extra(assignment, tmp_path) -> Path:
    return with_environment(assignment.autograder_zip, tmp_path / "extra.zip", pip=[EXTRA])


@pytest.fixture
def uses_extra(assignment, tmp_path) -> Path:
    student = nbformat.read(assignment.student_notebook, as_version=4)
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    (q1a,) = [q for q in assignment.questions() if q.name == "q1a"]
    (cell,) = answer_cell_ids(autograder, q1a.solution_cell_ids)
    path = tmp_path / "submissions" / "uses-extra.ipynb"
    path.parent.mkdir()
    reference = reference_submission(student, autograder)
    nbformat.write(fill_answers(reference, {cell: USES_EXTRA}), path)
    return path


def full_marks(out: Path, autograded) -> None:
    with Gradebook(out / "gradebook.sqlite") as book:
        (row,) = list(book.rows(book.latest_autograder()))
    assert row.status == GRADED, row.reason
    assert row.questions == {q.name: q.points for q in autograded}


def recorded_image(out: Path) -> str | None:
    return sqlite3.connect(out / "gradebook.sqlite").execute("SELECT image FROM runs").fetchone()[0]


# -- reading the zip ----------------------------------------------------------------------------


def test_otter_7s_zip_lists_its_pip_requirements_without_otter(assignment):
    found = read_requirements(assignment.autograder_zip)
    assert found.pip == ("numpy==2.4.6", "scipy==1.17.1", "matplotlib==3.11.2")
    assert found.conda == ()  # python, pip and jupyter_server need nothing


def test_requirements_txt_and_an_old_environment_pointing_at_it_are_read(assignment, tmp_path):
    old = with_environment(
        assignment.autograder_zip, tmp_path / "old.zip", pip=["-r requirements.txt"],
        conda=["nb_conda_kernels"],
        requirements="# an old Otter zip\notter-grader==4.0.0\nseaborn  # plots\ntabulate>=0.9\n",
    )  # fmt: skip
    found = read_requirements(old)
    assert found.pip == (
        "seaborn", "tabulate>=0.9", "numpy==2.4.6", "scipy==1.17.1", "matplotlib==3.11.2",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"conda": ["r-base=4.5.*"]}, "r-base=4.5.*"),
        ({"pip": ["numpy=>1"]}, "numpy=>1"),
        ({"pip": ["--extra-index-url https://example.org/simple"]}, "--extra-index-url"),
        ({"pip": ["-r missing.txt"]}, "missing.txt"),
    ],
)
def test_what_cannot_be_installed_is_a_clear_error_naming_zip_and_dependency(
    assignment, tmp_path, change, named
):
    bad = with_environment(assignment.autograder_zip, tmp_path / "bad.zip", **change)
    with pytest.raises(RequirementsError) as raised:
        missing(read_requirements(bad), pins(constraints_from_environment()), image_markers())
    assert str(bad) in str(raised.value) and named in str(raised.value)


def test_only_what_the_base_lacks_or_pins_otherwise_is_missing(assignment, tmp_path):
    zip_path = with_environment(
        assignment.autograder_zip, tmp_path / "mixed.zip", conda=["numpy=1.26", "python=3.13"],
        pip=[EXTRA, "scipy>=1.10", 'colorama; python_version < "3"', "pandas[excel]"],
    )  # fmt: skip
    lacking = missing(
        read_requirements(zip_path), pins(constraints_from_environment()), image_markers()
    )
    assert sorted(map(str, lacking)) == ["numpy==1.26.*", "pandas[excel]", EXTRA]


def test_the_service_starts_a_worker_ahead_only_for_a_zip_the_image_satisfies(
    assignment, needs_extra
):
    """``in_the_image``: a zip needing a layer gets none started on the base image."""
    assert in_the_image(assignment.autograder_zip) is True
    assert in_the_image(needs_extra) is False


# -- no extra packages: the base as it is ---------------------------------------------------------


class NoContainerCalls:
    """An image engine that fails the test if asked anything: nothing may be built or probed."""

    name = "podman"

    def __getattr__(self, attribute):
        pytest.fail(f"the container engine was asked for {attribute}")


class AnyEngine:
    image_engine = NoContainerCalls()


class HostEngine:
    image_engine = None


def test_a_zip_the_base_satisfies_keeps_the_base_image_and_this_python(
    assignment, tmp_path, monkeypatch
):
    said: list[str] = []
    base = "localhost/notebook-grader:base"
    zip_path = assignment.autograder_zip
    assert assignment_environment(zip_path, AnyEngine(), base, said.append) == base
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert assignment_environment(zip_path, HostEngine(), None, said.append) is None
    assert said == [] and not (tmp_path / "cache").exists()


# -- extra packages: a layer in podman, a venv on the host -----------------------------------------


@pytest.mark.slow
def test_a_zip_needing_a_package_gets_a_layer_built_once_and_grades_in_podman(
    podman, grading_image, needs_extra, uses_extra, autograded, tmp_path, capsys
):
    tag = layer_tag(grading_image, [EXTRA])
    existed = podman.image_exists(tag)
    grade([uses_extra], needs_extra, tmp_path / "first", engine=WarmEngine(podman))
    built = "building the environment of" in capsys.readouterr().err
    assert built == (not existed) and podman.image_exists(tag)
    grade([uses_extra], needs_extra, tmp_path / "again", engine=WarmEngine(podman))
    assert "building the environment" not in capsys.readouterr().err
    for out in (tmp_path / "first", tmp_path / "again"):
        full_marks(out, autograded)
        assert recorded_image(out) == tag


@pytest.mark.slow
def test_the_grading_service_grades_in_the_layer_it_is_told(
    podman, grading_image, needs_extra, uses_extra, autograded, tmp_path, monkeypatch
):
    # A service of this test's own (its folder is the service's namespace), short of the path
    # limit of a Unix socket, so that no other grading on this machine replaces or stops it.
    runtime = Path(tempfile.mkdtemp(prefix="gs-", dir="/tmp"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    out = tmp_path / "out"
    try:
        grade([uses_extra], needs_extra, out, engine="podman", keep_warm=30)
    finally:
        stop_all()
        shutil.rmtree(runtime, ignore_errors=True)
    full_marks(out, autograded)
    assert recorded_image(out) == layer_tag(grading_image, [EXTRA])


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["warm", "otter"])
def test_without_containers_the_zip_gets_a_venv_built_once(
    mode, needs_extra, uses_extra, autograded, tmp_path_factory, monkeypatch, capsys
):
    """The venv lives in the cache folder: here under /tmp, which the host sandbox binds."""
    cache = tmp_path_factory.getbasetemp() / "venv-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    for attempt in ("first", "again"):
        out = tmp_path_factory.mktemp(f"{mode}-{attempt}")
        grade([uses_extra], needs_extra, out, engine="local", mode=mode)
        full_marks(out, autograded)
        python = Path(recorded_image(out))
        assert python.is_relative_to(cache) and python.name == "python"
    building = capsys.readouterr().err.count("building the environment of")
    assert building == (1 if mode == "warm" else 0)  # "otter" reuses the warm test's venv
    assert len(list(cache.glob("notebook-grading/venv-*"))) == 1


@pytest.mark.slow
def test_a_requirement_pip_cannot_resolve_names_the_zip_and_the_requirement(
    assignment, uses_extra, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    bad = with_environment(assignment.autograder_zip, tmp_path / "bad.zip", pip=[UNRESOLVABLE])
    with pytest.raises(RequirementsError) as raised:
        grade([uses_extra], bad, tmp_path / "out", engine="local")
    assert str(bad) in str(raised.value) and UNRESOLVABLE in str(raised.value)
    assert not list((tmp_path / "cache").glob("notebook-grading/venv-*"))  # nothing half-built


@pytest.mark.slow
def test_a_requirement_pip_cannot_download_for_the_image_names_the_zip_and_the_requirement(
    assignment, podman, grading_image, tmp_path
):
    bad = with_environment(
        assignment.autograder_zip, tmp_path / "bad.zip", pip=[UNRESOLVABLE, "seaborn"]
    )
    with pytest.raises(RequirementsError) as raised:
        assignment_environment(bad, WarmEngine(podman), grading_image)
    message = str(raised.value)
    assert str(bad) in message and UNRESOLVABLE in message
    assert not podman.image_exists(layer_tag(grading_image, sorted(["seaborn", UNRESOLVABLE])))


@pytest.mark.slow
def test_two_layers_of_other_requirements_each_hold_their_own_package(podman, grading_image):
    """The pip step reads its requirements through a mount, which the build cache does not see:
    without the inputs' hash in the step, the second layer would be the first one again."""
    installed = constraints_from_environment()
    layers = {}
    for requirement, module in (("toolz==1.0.0", "toolz"), ("tabulate==0.9.0", "tabulate")):
        tag = layer_tag(grading_image, [requirement])
        if not podman.image_exists(tag):
            wheelhouse = ensure_wheelhouse(requirement + "\n", installed)
            build_layer(podman, grading_image, tag, [requirement], installed, wheelhouse)
        layers[module] = tag
    for module, tag in layers.items():
        probe = podman.cli(["run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024",
                            "--ulimit", "nproc=512:512",
                            "--entrypoint", "/opt/grader/bin/python", tag, "-c",
                            f"import {module}"], check=False)  # fmt: skip
        assert probe.returncode == 0, f"{tag} lacks {module}: {probe.stderr[-500:]}"
