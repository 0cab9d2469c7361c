"""The master notebook's question inventory, for every assignment: each autograded question has
public and hidden tests, worth what the question list says."""

from __future__ import annotations

import pytest

from .otter_tests import autograder_tests


def test_each_autograded_question_has_public_and_hidden_tests(assignment, autograded):
    tests = autograder_tests(assignment)
    assert set(tests) == {q.name for q in autograded}
    for q in autograded:
        cases = tests[q.name].cases
        assert [c for c in cases if c.hidden] and [c for c in cases if not c.hidden], q.name
        assert tests[q.name].file.possible == pytest.approx(q.points), q.name
