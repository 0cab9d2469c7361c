"""dist/ is what `python -m grading build` makes, and the student half gives nothing away."""

from __future__ import annotations

import ast
import dataclasses
import filecmp
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grading.build import build
from grading.notebooks import reference_answers

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


def test_autograder_zip_ships_helpers_tests_and_pinned_requirements(assignment, autograded):
    names = set(zip_content(assignment.autograder_zip))
    assert {f"tests/{q.name}.py" for q in autograded} <= names
    assert {"files/helpers/__init__.py", "files/helpers/differences.py"} <= names
    assert not any("__pycache__" in n for n in names)
    env = zip_content(assignment.autograder_zip)["environment.yml"].decode()
    for pin in ("otter-grader[grading,plugins]==7.0.0", "numpy==", "scipy==", "matplotlib=="):
        assert pin in env


def hidden_solution_lines(source: str) -> list[str]:
    """Lines Otter Assign must strip: ``# SOLUTION`` lines and BEGIN/END SOLUTION blocks."""
    lines, inside = [], False
    for line in source.splitlines():
        text = line.strip()
        if text.endswith("# END SOLUTION"):
            inside = False
        elif "# BEGIN SOLUTION" in text:
            inside = True
        elif inside or text.endswith("# SOLUTION"):
            lines.append(text.removesuffix("# SOLUTION").strip())
    return lines


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
    assert "tests" not in student_nb.metadata.get("otter", {})


def student_test_files(assignment) -> list[Path]:
    return sorted((assignment.dist_dir / "student" / "tests").glob("*.py"))


def test_student_tests_are_public_only(assignment, autograded):
    files = student_test_files(assignment)
    assert {p.stem for p in files} == {q.name for q in autograded}
    for path in files:
        source = path.read_text()
        assert "hidden=True" not in source, path.name
        assert "hidden=False" in source, path.name


def is_size_query(node: ast.expr) -> bool:
    """``x.shape``, ``len(x)``, ``np.shape(x)``, ``np.ndim(x)``: sizes the prompt states."""
    if isinstance(node, ast.Attribute):
        return node.attr in {"shape", "ndim", "size"}
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in {"len", "shape", "ndim"}
    return False


class ExpectedValues(ast.NodeVisitor):
    """Numbers a test compares against: isclose/allclose/array_equal targets, == right sides."""

    def __init__(self) -> None:
        self.nodes: list[ast.expr] = []

    def visit_Call(self, node: ast.Call) -> None:
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if name in {"isclose", "allclose", "array_equal"} and len(node.args) >= 2:
            self.nodes.append(node.args[1])
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        left = node.left
        if isinstance(left, ast.Call) and getattr(left.func, "id", "") == "abs" and left.args:
            inner = left.args[0]
            if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Sub):
                self.nodes.append(inner.right)
        if not is_size_query(left):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.Eq):
                    self.nodes.append(right)
        self.generic_visit(node)


def constant_values(node: ast.expr) -> list[float]:
    """The numbers a constant expression (literals, np.* of literals) evaluates to, else []."""
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    if names - {"np"}:
        return []
    try:
        value = eval(compile(ast.Expression(node), "<test>", "eval"), {"np": np})  # noqa: S307
        return [float(v) for v in np.ravel(np.asarray(value, dtype=float))]
    except (TypeError, ValueError):
        return []


def case_functions(path: Path, hidden: bool) -> list[ast.FunctionDef]:
    functions = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef):
            flags = [
                kw.value.value
                for d in node.decorator_list
                for kw in d.keywords
                if kw.arg == "hidden"
            ]
            if flags == [hidden]:
                functions.append(node)
    return functions


TRIVIAL = {0.0, 1.0, 2.0}


def test_public_tests_reveal_no_hidden_expected_value(assignment, autograded):
    ag_tests = assignment.dist_dir / "autograder" / "tests"
    checked = 0
    for q in autograded:
        finder = ExpectedValues()
        for fn in case_functions(ag_tests / f"{q.name}.py", hidden=True):
            finder.visit(fn)
        expected = {abs(v) for node in finder.nodes for v in constant_values(node)} - TRIVIAL
        public_numbers = set()
        for fn in case_functions(ag_tests / f"{q.name}.py", hidden=False):
            for node in ast.walk(fn):
                if isinstance(node, ast.expr):
                    public_numbers.update(abs(v) for v in constant_values(node))
        clashes = [
            v for v in expected if any(np.isclose(v, p, rtol=1e-9, atol=0) for p in public_numbers)
        ]
        assert not clashes, f"{q.name}: public tests contain hidden expected values {clashes}"
        checked += len(expected)
    assert checked >= 20, "the expected-value scan found suspiciously few values"


def test_public_tests_contain_no_solution_code(assignment, autograder_nb):
    lines = solution_lines(autograder_nb)
    for path in student_test_files(assignment):
        test_lines = {line.strip() for line in path.read_text().splitlines()}
        assert not lines & test_lines, path.name
