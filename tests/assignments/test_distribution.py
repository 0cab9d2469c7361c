"""dist/ is what `python -m grading build` makes, and the student half gives nothing away."""

from __future__ import annotations

import dataclasses
import filecmp
import zipfile
from pathlib import Path

import nbformat
import pytest
from otter.assign.blocks import get_cell_config, is_assignment_config_cell

from grading.assignments import read_master
from grading.build import build
from grading.notebooks import reference_answers

from .expected_values import hidden_values_shown_in_public
from .otter_tests import student_tests

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fresh_dist(assignment, tmp_path_factory) -> Path:
    """A build of the master into a scratch dist folder."""
    scratch = tmp_path_factory.mktemp("dist")
    build(dataclasses.replace(assignment, dist_dir=scratch / assignment.name))
    return scratch / assignment.name


def notebook_content(path: Path) -> list[tuple]:
    nb = nbformat.read(path, as_version=4)
    return [(c.cell_type, c.get("id"), c.source, c.metadata.get("tags", [])) for c in nb.cells]


def zip_content(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_committed_dist_matches_a_fresh_build(assignment, fresh_dist):
    committed = assignment.dist_dir
    fresh_files = sorted(p.relative_to(fresh_dist) for p in fresh_dist.rglob("*") if p.is_file())
    committed_files = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert committed_files == fresh_files, "dist/ is stale: run `make build` and commit dist/"
    for rel in fresh_files:
        ours, theirs = committed / rel, fresh_dist / rel
        if rel.suffix == ".ipynb":
            assert notebook_content(ours) == notebook_content(theirs), f"{rel} is stale"
        elif rel.suffix == ".zip":
            assert zip_content(ours) == zip_content(theirs), f"{rel} is stale"
        else:
            assert filecmp.cmp(ours, theirs, shallow=False), f"{rel} is stale"


def test_build_is_reproducible_to_the_byte(assignment, fresh_dist):
    assert (
        assignment.autograder_zip.read_bytes()
        == (fresh_dist / "autograder" / assignment.autograder_zip.name).read_bytes()
    )


def assignment_config(assignment) -> dict:
    """The master's ASSIGNMENT CONFIG cell, read as Otter Assign reads it."""
    cells = read_master(assignment.master_notebook).cells
    configs = [get_cell_config(c) for c in cells if is_assignment_config_cell(c)]
    return {key: value for config in configs for key, value in config.items()}


def test_autograder_zip_ships_tests_files_and_pinned_requirements(assignment, autograded):
    names = set(zip_content(assignment.autograder_zip))
    assert {f"tests/{q.name}.py" for q in autograded} <= names
    assert not any("__pycache__" in n for n in names)
    for entry in assignment_config(assignment).get("files", []):
        shipped = [n for n in names if n == f"files/{entry}" or n.startswith(f"files/{entry}/")]
        assert shipped, f"{entry} (files:) is not in the autograder zip"
    env = zip_content(assignment.autograder_zip)["environment.yml"].decode()
    assert "otter-grader[grading,plugins]==7.0.0" in env
    requirements = assignment.master_dir / "requirements.txt"
    pins = requirements.read_text().split() if requirements.is_file() else []
    for pin in pins:
        assert pin in env, f"{pin} of {requirements.name} is not in the grading environment"


def hidden_solution_lines(source: str) -> list[str]:
    """Lines Otter Assign must strip: ``# SOLUTION`` lines and BEGIN/END SOLUTION blocks, less
    those the cell's ``# BEGIN PROMPT`` block gives students on purpose."""
    lines, inside, prompt, in_prompt = [], False, set(), False
    for line in source.splitlines():
        text = line.strip()
        if text.endswith("# END PROMPT"):
            in_prompt = False
        elif text.endswith("# BEGIN PROMPT"):
            in_prompt = True
        elif in_prompt:
            prompt.add(text)
        elif text.endswith("# END SOLUTION"):
            inside = False
        elif "# BEGIN SOLUTION" in text:
            inside = True
        elif inside or text.endswith("# SOLUTION"):
            lines.append(text.removesuffix("# SOLUTION").strip())
    return [line for line in lines if line not in prompt]


def solution_lines(autograder_nb) -> set[str]:
    """Every meaningful line of every reference solution (code or written)."""
    lines = set()
    for cell in autograder_nb.cells:
        if "otter_assign_solution_cell" not in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "code":
            candidates = hidden_solution_lines(cell.source)
        else:
            candidates = [line.strip() for line in cell.source.splitlines()]
        lines.update(text for text in candidates if len(text) > 12 and not text.startswith("#"))
    return lines


def test_student_notebook_holds_no_solution(student_nb, autograder_nb):
    answer_ids = set(reference_answers(autograder_nb))
    student_lines = {
        line.strip()
        for c in student_nb.cells
        if c.id in answer_ids
        for line in c.source.splitlines()
    }
    leaked = solution_lines(autograder_nb) & student_lines
    assert not leaked, leaked
    everything = nbformat.writes(student_nb)
    markers = ("# SOLUTION", "BEGIN SOLUTION", "END SOLUTION", "BEGIN TESTS", "hidden: true")
    for marker in markers:
        assert marker not in everything, marker


def test_student_tests_are_public_only(assignment, autograded):
    """Wherever they are (files or the notebook's metadata), students get public cases only."""
    tests = student_tests(assignment)
    assert set(tests) == {q.name for q in autograded}
    for name, question_tests in tests.items():
        assert question_tests.cases, name
        assert not [c for c in question_tests.cases if c.hidden], name


def test_public_tests_reveal_no_hidden_expected_value(assignment):
    clashes, checked = hidden_values_shown_in_public(assignment)
    assert not clashes, f"public tests contain hidden expected values: {clashes}"
    assert checked, "the expected-value scan found no value in any hidden test"


def test_public_tests_contain_no_solution_code(assignment, autograder_nb):
    lines = solution_lines(autograder_nb)
    for name, question_tests in student_tests(assignment).items():
        test_lines = {
            line.strip() for case in question_tests.cases for line in case.code.splitlines()
        }
        assert not lines & test_lines, name
