"""Design rules of the derivatives assignment that are choices, not rules for every assignment
(those run for every ``master/<name>/`` in ``tests/assignments/``): 100 points, all-or-nothing
questions, one exercise per graded name, the helpers package shipped to the autograder."""

from __future__ import annotations

import ast
import re
import zipfile

import pytest

from tests.assignments.expected_values import hidden_values_shown_in_public
from tests.assignments.otter_tests import autograder_tests


def exercise(name: str) -> int:
    return int(re.match(r"q(\d+)", name).group(1))


def test_points_sum_to_100(questions):
    assert sum(q.points for q in questions) == pytest.approx(100)


def test_a_wrong_answer_loses_all_the_questions_points(assignment, autograded):
    tests = autograder_tests(assignment)
    for q in autograded:
        assert tests[q.name].file.all_or_nothing, q.name


def argument_names(assignment, name: str) -> set[str]:
    """The notebook names a question's tests read (Otter passes them by parameter name)."""
    with zipfile.ZipFile(assignment.autograder_zip) as zf:
        tree = ast.parse(zf.read(f"tests/{name}.py").decode())
    return {
        arg.arg for node in tree.body if isinstance(node, ast.FunctionDef) for arg in node.args.args
    }


def test_no_two_exercises_share_a_graded_name(assignment, autograded):
    import helpers

    owner: dict[str, int] = {}
    for q in autograded:
        for name in argument_names(assignment, q.name):
            assert name not in helpers.__all__, f"{q.name} grades {name}, a helpers name"
            first = owner.setdefault(name, exercise(q.name))
            assert first == exercise(q.name), f"{name} is graded in Exercises {first} and {q.name}"


def test_the_autograder_ships_the_helpers_package(assignment):
    with zipfile.ZipFile(assignment.autograder_zip) as zf:
        names = set(zf.namelist())
    assert {"files/helpers/__init__.py", "files/helpers/differences.py"} <= names


def test_the_expected_value_scan_reads_the_hidden_tests(assignment):
    """The scan of tests/assignments finds every hidden test's values here (27 questions)."""
    clashes, checked = hidden_values_shown_in_public(assignment)
    assert not clashes
    assert checked >= 20, "the expected-value scan found suspiciously few values"
