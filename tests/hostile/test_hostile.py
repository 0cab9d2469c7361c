"""The hostile corpus (cases.yaml), graded end to end by `python -m grading grade` in podman,
in parallel with normal submissions.

Every case must get its expected status, score and reason; every normal submission must keep
exactly the scores it gets when graded alone; and the host must keep its network interfaces,
its files and its processes: no container and no process of the student user left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import sqlite3
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from grading.gradebook import Gradebook
from grading.model import GRADED, INVALID
from grading.notebooks import answer_cell_ids, fill_answers, reference_submission
from grading.sandbox.containers import OWNER_LABEL
from grading.sandbox.uids import FIRST_STUDENT_UID, STUDENT_UIDS

from .stress_fork_bomb import rounds

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
CASES = yaml.safe_load((HERE / "cases.yaml").read_text())
FLAT = {name: case for group in CASES.values() for name, case in group.items()}
NORMAL = ("strong.ipynb", "typical.ipynb", "weak.ipynb")
STUDENT_UIDS_RANGE = range(FIRST_STUDENT_UID, FIRST_STUDENT_UID + STUDENT_UIDS)
LIMITS = ["--cell-timeout", "8", "--timeout", "240"]


def _reference(assignment) -> nbformat.NotebookNode:
    student = nbformat.read(assignment.student_notebook, as_version=4)
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    return reference_submission(student, autograder)


def _with_answer(assignment, reference, question: str, source: str) -> nbformat.NotebookNode:
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    (spec,) = [q for q in assignment.questions() if q.name == question]
    (cell_id,) = answer_cell_ids(autograder, spec.solution_cell_ids)
    return fill_answers(reference, {cell_id: source})


def _changed_notebook(assignment, reference, how: str) -> nbformat.NotebookNode:
    if how == "solutions":
        return nbformat.read(assignment.autograder_notebook, as_version=4)
    changed = nbformat.from_dict(reference)
    if how == "drop-checks":  # the init cell and every grader.check cell, edited away
        changed.cells = [
            c
            for c in changed.cells
            if not (c.cell_type == "code" and ("grader.check" in c.source or "otter" in c.source))
        ]
    elif how == "drop-metadata":
        changed.metadata.pop("otter")
    elif how == "other-assignment":
        changed.metadata["otter"]["assignment_name"] = "integrals"
    else:
        raise ValueError(how)
    return changed


def _archive(path: Path, members: dict[str, str], reference_bytes: bytes) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, kind in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if kind == "symlink":
                info.create_system = 3
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, "/etc/passwd")
            elif kind == "bomb":
                with zf.open(info, "w", force_zip64=True) as out:
                    for _ in range(300):
                        out.write(bytes(1 << 20))
            else:
                zf.writestr(info, reference_bytes)


def build_corpus(assignment, folder: Path) -> None:
    """Every case as the file a student would hand in, named after the case."""
    reference = _reference(assignment)
    reference_bytes = nbformat.writes(reference).encode()
    folder.mkdir(parents=True)
    for name, case in FLAT.items():
        if "answer" in case:
            question = case.get("question", "q1a")
            nb = _with_answer(assignment, reference, question, case["answer"])
            nbformat.write(nb, folder / f"{name}.ipynb")
        elif "notebook" in case:
            nbformat.write(
                _changed_notebook(assignment, reference, case["notebook"]),
                folder / f"{name}.ipynb",
            )
        elif "file" in case:
            data = case["file"]
            raw = data if isinstance(data, bytes) else data.encode()
            (folder / f"{name}.ipynb").write_bytes(raw)
        else:
            _archive(folder / f"{name}.zip", case["archive"], reference_bytes)


def _grade(
    assignment,
    paths: list[Path],
    out: Path,
    *extra: str,
    workers: int = 2,
    engine="podman",
    cwd: Path | None = None,
) -> None:
    command = [
        sys.executable, "-m", "grading", "grade", "--engine", engine, "--workers", str(workers),
        "--autograder", str(assignment.autograder_zip), "--out", str(out), *LIMITS, *extra,
        *map(str, paths),
    ]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=cwd)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]


def _rows(out: Path) -> dict[str, dict]:
    """Per case (the file's stem): status, reason and per-question scores; rejections too."""
    with Gradebook(out / "gradebook.sqlite") as book:
        return {
            _case_name(row.origin): {
                "status": row.status, "reason": row.reason, "scores": row.questions,
            }
            for row in book.rows(book.latest_autograder())
        }  # fmt: skip


def _case_name(origin: str) -> str:
    archive, _, _member = origin.partition("!")
    return Path(archive).stem


def _host_state() -> dict:
    student_processes = [
        p.name
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and _uid_of(p) in STUDENT_UIDS_RANGE
    ]
    return {
        "interfaces": sorted(name for _, name in socket.if_nameindex()),
        "student processes": student_processes,
    }


def _stat_or_none(path: Path) -> tuple[int, int] | None:
    with contextlib.suppress(FileNotFoundError):
        info = path.stat()
        return info.st_ino, info.st_mtime_ns
    return None


def _uid_of(proc: Path) -> int | None:
    try:
        return proc.stat().st_uid
    except OSError:
        return None


@pytest.fixture(scope="module")
def hostile_run(assignment, podman, grading_image, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "class"
    build_corpus(assignment, corpus)
    for name in NORMAL:
        (corpus / name).write_bytes((assignment.samples_dir / name).read_bytes())
    canary = root / "canary.txt"
    canary.write_text("host file")
    before = _host_state()
    here = root / "working-folder"  # where the instructor typed the commands
    here.mkdir()
    root_oom = _stat_or_none(Path("/oom"))  # the service's working folder is /
    alone = root / "alone"
    _grade(assignment, [assignment.samples_dir / n for n in NORMAL], alone, cwd=here)
    out = root / "out"
    _grade(assignment, [corpus], out, cwd=here)
    fresh = root / "fresh"  # the same worker, a new container for every submission
    _grade(assignment, [corpus], fresh, "--mode", "fresh", cwd=here)
    return {
        "rows": _rows(out),
        "fresh": _rows(fresh),
        "alone": _rows(alone),
        "before": before,
        "after": _host_state(),
        "canary": canary.read_text(),
        "working folder": sorted(p.name for p in here.iterdir()),
        "/oom": (root_oom, _stat_or_none(Path("/oom"))),
        "out": out,
    }


def expected_scores(case: dict, full: dict[str, float]) -> dict[str, float]:
    lost = case["expect"].get("lost", [])
    if lost == "all":
        return dict.fromkeys(full, 0.0)
    return {q: 0.0 if q in lost else points for q, points in full.items()}


@pytest.mark.parametrize("name", list(FLAT))
def test_hostile_case_gets_its_expected_outcome(name, hostile_run, otter_scores):
    case, got = FLAT[name], hostile_run["rows"].get(name)
    assert got is not None, f"{name}: no result and no rejection recorded"
    expect = case["expect"]
    assert got["status"] == expect["status"], (name, got["reason"])
    assert expect["reason"] in got["reason"], (name, got["reason"])
    if expect["status"] != INVALID:
        full = otter_scores["strong.ipynb"]
        assert got["scores"] == expected_scores(case, full) or (
            expect.get("lost") == "all" and sum(got["scores"].values()) == 0
        ), (name, got["scores"])
    if expect["status"] == GRADED and not expect["reason"]:
        assert "tamper" not in got["reason"], (name, got["reason"])


def test_normal_submissions_keep_the_scores_they_get_alone(hostile_run):
    rows, alone = hostile_run["rows"], hostile_run["alone"]
    for name in NORMAL:
        stem = Path(name).stem
        assert rows[stem]["status"] == alone[stem]["status"] == GRADED
        assert rows[stem]["scores"] == alone[stem]["scores"], stem


def test_fresh_containers_give_the_warm_engines_outcomes(hostile_run):
    """Nothing of one submission survives into the next in a long-lived worker."""
    warm, fresh = hostile_run["rows"], hostile_run["fresh"]
    assert set(warm) == set(fresh)
    differing = {
        name: (warm[name], fresh[name])
        for name in warm
        if (warm[name]["status"], warm[name]["scores"])
        != (fresh[name]["status"], fresh[name]["scores"])
    }
    assert differing == {}


def left_behind(run: dict) -> dict:
    """What the run added to the host: interfaces, or processes of a student uid."""
    before, after = run["before"], run["after"]
    return {key: sorted(set(after[key]) - set(before[key])) for key in after}


def test_the_host_is_untouched(hostile_run, podman):
    assert left_behind(hostile_run) == {"interfaces": [], "student processes": []}
    assert hostile_run["after"]["interfaces"] == hostile_run["before"]["interfaces"]
    assert hostile_run["canary"] == "host file"
    # conmon writes an empty `oom` into its working folder when a container runs out of memory
    assert hostile_run["working folder"] == []
    before_oom, after_oom = hostile_run["/oom"]
    assert after_oom == before_oom
    owner = hashlib.sha256(str(hostile_run["out"].resolve()).encode()).hexdigest()[:16]
    left = podman.cli(["ps", "--all", "--quiet", "--filter", f"label={OWNER_LABEL}={owner}"])
    assert left.stdout.split() == []
    assert os.access(hostile_run["out"] / "gradebook.sqlite", os.R_OK)
    db = sqlite3.connect(hostile_run["out"] / "gradebook.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_every_case_names_its_defence():
    assert all(case.get("defence") for case in FLAT.values())


LEAK_WRITER = """\
import builtins, os, random
import matplotlib
import numpy as np
os.environ["GRADING_LEAK"] = "1"
np.grading_leak = True
builtins.grading_leak = True
matplotlib.rcParams["lines.linewidth"] = 7.5
random.seed(1)
np.random.seed(1)
with open("/tmp/grading-leak", "w") as f:
    f.write("left behind")
with open("grading-leak", "w") as f:
    f.write("left behind")
def f_prime(x):
    return 12 * x**3 - 4 * x + 7
"""
LEAK_PROBE = """\
import builtins, os, random
import matplotlib
import numpy as np
LEAKS = [
    os.environ.get("GRADING_LEAK"),
    getattr(np, "grading_leak", None),
    getattr(builtins, "grading_leak", None),
    matplotlib.rcParams["lines.linewidth"] == 7.5,
    random.random() == 0.13436424411240122,  # the first draw after random.seed(1)
    np.random.rand() == 0.417022004702574,  # the first draw after np.random.seed(1)
    os.path.exists("/tmp/grading-leak"),
    os.path.exists("grading-leak"),
]
def f_prime(x):
    return 0 * x if any(LEAKS) else 12 * x**3 - 4 * x + 7
"""


def test_nothing_of_one_submission_reaches_the_next_in_a_warm_worker(
    assignment, podman, grading_image, tmp_path
):
    """One worker grades writer, probe, writer, probe: the probes see a pristine process."""
    reference = _reference(assignment)
    folder = tmp_path / "class"
    folder.mkdir()
    for index, source in enumerate([LEAK_WRITER, LEAK_PROBE, LEAK_WRITER, LEAK_PROBE]):
        nb = _with_answer(assignment, reference, "q1a", source)
        nb.metadata["copy"] = index  # distinct files
        kind = "probe" if source is LEAK_PROBE else "writer"
        nbformat.write(nb, folder / f"{index}-{kind}.ipynb")
    out = tmp_path / "out"
    _grade(assignment, [folder], out, workers=1)
    db = sqlite3.connect(out / "gradebook.sqlite")
    rows = db.execute(
        "SELECT s.origin, r.engine, q.score FROM submissions s JOIN results r USING (sha256)"
        " JOIN question_results q USING (sha256) WHERE q.question = 'q1a' ORDER BY r.rowid"
    ).fetchall()
    assert [Path(origin).stem for origin, _, _ in rows] == [
        "0-writer", "1-probe", "2-writer", "3-probe"
    ]  # fmt: skip
    assert {engine for _, engine, _ in rows} == {"podman-warm"}
    assert [score for _, _, score in rows] == [1.0, 1.0, 1.0, 1.0]  # a probe that saw a leak: 0


def test_a_fork_bomb_costs_its_question_five_rounds_in_a_row(
    assignment, podman, grading_image, otter_scores, tmp_path
):
    """Beside three normal submissions, two workers: the same outcome every round, never the
    whole submission, never the time limit."""
    full = otter_scores["strong.ipynb"]
    results = rounds(assignment, 5, tmp_path)
    for result in results:
        status, scores, _seconds = result.outcomes["bomb"]
        assert (status, scores) == (GRADED, {q: 0.0 if q == "q1a" else p for q, p in full.items()})
        for name in ("strong", "typical", "weak"):
            assert result.outcomes[name][:2] == (GRADED, otter_scores[f"{name}.ipynb"]), name


# -- the same corpus through the warm worker on the host (no container engine) -----------------

HOST_CASES = {name: case for name, case in FLAT.items() if "container_only" not in case}
TAMPERING = list(CASES["tampering"])


@pytest.fixture(scope="module")
def local_run(assignment, tmp_path_factory):
    """The corpus graded by `--engine local`: in CI (root) the `strong` tier."""
    root = tmp_path_factory.mktemp("hostile-local")
    build_corpus(assignment, root / "all")
    corpus = root / "class"
    corpus.mkdir()
    for path in (root / "all").iterdir():
        if path.stem in HOST_CASES:
            path.rename(corpus / path.name)
    before = _host_state()
    _grade(assignment, [corpus], root / "out", engine="local")
    return {"rows": _rows(root / "out"), "before": before, "after": _host_state()}


@pytest.mark.parametrize("name", list(HOST_CASES))
def test_local_engine_gives_each_case_its_expected_outcome(name, local_run, otter_scores):
    case, got = HOST_CASES[name], local_run["rows"].get(name)
    assert got is not None, f"{name}: no result and no rejection recorded"
    assert got["status"] == case["expect"]["status"], (name, got["reason"])
    if case["expect"]["status"] != INVALID:
        full = otter_scores["strong.ipynb"]
        assert got["scores"] == expected_scores(case, full) or (
            case["expect"].get("lost") == "all" and sum(got["scores"].values()) == 0
        ), (name, got["scores"])


def test_local_engine_leaves_no_student_process_and_keeps_the_network(local_run):
    assert left_behind(local_run) == {"interfaces": [], "student processes": []}
    assert local_run["after"]["interfaces"] == local_run["before"]["interfaces"]


def test_every_tampering_case_keeps_its_honest_score_in_the_weakest_tier(
    assignment, otter_scores, tmp_path
):
    """`process` isolation (no namespaces, no second user): the tests still run in the grader's
    process, so patching numpy, builtins or Otter changes nothing but the patcher's answer."""
    from grading.api import grade
    from grading.sandbox import HostLauncher, Limits, WarmEngine

    build_corpus(assignment, tmp_path / "all")
    paths = [tmp_path / "all" / f"{name}.ipynb" for name in TAMPERING]
    engine = WarmEngine(HostLauncher("process"))
    grade(paths, assignment.autograder_zip, tmp_path / "out", engine=engine,
          limits=Limits(cell_timeout=8, timeout=240))  # fmt: skip
    rows = _rows(tmp_path / "out")
    full = otter_scores["strong.ipynb"]
    for name in TAMPERING:
        case = FLAT[name]
        assert rows[name]["status"] == case["expect"]["status"], (name, rows[name]["reason"])
        assert rows[name]["scores"] == expected_scores(case, full) or (
            case["expect"].get("lost") == "all" and sum(rows[name]["scores"].values()) == 0
        ), name
    with Gradebook(tmp_path / "out" / "gradebook.sqlite") as book:
        isolation = {row.isolation for row in book.rows(book.latest_autograder()) if row.sha256}
    assert isolation == {"process"}
