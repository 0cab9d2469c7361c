"""The master notebook's question inventory, for every assignment: points, public and hidden
tests per question, no graded name shared by two exercises."""

from __future__ import annotations

import ast
import re

import pytest
from otter.test_files import ExceptionTestFile


def exercise(name: str) -> int:
    return int(re.match(r"q(\d+)", name).group(1))


def part(name: str) -> str:
    """The lettered part a question grades: q4d_explain and q4d both grade part q4d."""
    return name.split("_")[0]


def test_points_sum_to_100(questions):
    assert sum(q.points for q in questions) == pytest.approx(100)


def load_tests(assignment, name: str) -> ExceptionTestFile:
    return ExceptionTestFile.from_file(
        str(assignment.dist_dir / "autograder" / "tests" / f"{name}.py")
    )


def test_each_autograded_question_has_public_and_hidden_tests(assignment, autograded):
    for q in autograded:
        tests = load_tests(assignment, q.name)
        hidden = [tc for tc in tests.test_cases if tc.hidden]
        public = [tc for tc in tests.test_cases if not tc.hidden]
        assert public and hidden, q.name
        assert tests.all_or_nothing, f"{q.name}: a wrong answer must lose all the question's points"
        assert tests.possible == pytest.approx(q.points), q.name


def argument_names(assignment, name: str) -> set[str]:
    """The notebook names a question's tests read (Otter passes them by parameter name)."""
    tree = ast.parse((assignment.dist_dir / "autograder" / "tests" / f"{name}.py").read_text())
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
