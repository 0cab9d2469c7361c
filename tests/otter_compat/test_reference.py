"""The committed `otter run` references: complete, current, sane, and still what Otter gives.

The cache is only trusted because these tests can fail: every submission must have an entry
computed for its present inputs (no miss, no orphan), the entries must say what the fixtures
mean (a correct notebook gets full marks, the attacks do fool `otter run`), and a fixed sample
is re-run live, so a hand-edited or stale entry is caught.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from .reference import GRADED, cached, orphans, reference_key, run_reference
from .suites import HOSTILE, SUITES, AssignedSuite

# Re-run live: a notebook of checks and reassignments (OK format), every pattern of the
# exception-format matrix, and a score_threshold/points_possible top-level score.
LIVE_SAMPLE = [
    ("ok_doctests", "check_then_reassign.ipynb"),
    ("matrix_exception", "matrix-correct.ipynb"),
    ("config_seed_variable", "other_seed.ipynb"),
]
# Attacks that change no score under `otter run`: reading the tests, and patching doctest where
# the tests are exception-format functions.
SCORE_NEUTRAL_ATTACKS = {
    "matrix_ok": {"matrix-tamper-read_tests.ipynb"},
    "matrix_exception": {"matrix-tamper-read_tests.ipynb", "matrix-tamper-doctest_runner.ipynb"},
}


@pytest.mark.parametrize("suite", list(SUITES))
def test_every_submission_has_a_current_reference(suite, built_suites):
    built = built_suites[suite]
    missing = sorted(name for name, s in built.submissions.items() if cached(built, s) is None)
    assert not missing, (
        f"{suite}: no reference computed for the present inputs of {missing}: run "
        "`pytest tests/otter_compat` (it runs `otter run` for them) and commit "
        "tests/otter_compat/reference/"
    )
    assert orphans(built) == [], "entries of submissions that no longer exist: delete them"


def test_a_reference_key_changes_with_its_inputs(built_suites):
    built = built_suites["ok_doctests"]
    one, other = built.submissions["passes_all.ipynb"], built.submissions["blank.ipynb"]
    key, inputs = reference_key(built, one)
    assert key != reference_key(built, other)[0]
    assert inputs["submission_sha256"] == one.sha256
    assert inputs["otter"] == "7.0.0"
    assert "ok_doctests/tests/q_even.py" in inputs["sources"]


@pytest.mark.parametrize("suite", [n for n, s in SUITES.items() if isinstance(s, AssignedSuite)])
def test_assignment_references_mean_what_the_fixtures_say(suite, built_suites, suite_references):
    """A correct notebook gets every point, the untouched one never all of a question's, and
    every attack changes what `otter run` gives (else it tests nothing)."""
    built, refs = built_suites[suite], suite_references[suite]
    stem = built.suite.master.removesuffix(".ipynb")
    correct, blank = refs[f"{stem}-correct.ipynb"], refs[f"{stem}-blank.ipynb"]
    assert correct.status == GRADED and correct.questions == correct.possible
    assert blank.status == GRADED
    assert all(blank.questions[q] < points for q, points in correct.possible.items())
    neutral = SCORE_NEUTRAL_ATTACKS.get(suite, set())
    harmless = [
        s.name
        for s in built.submissions.values()
        if s.expect == HOSTILE and s.name not in neutral and refs[s.name] == refs[s.base]
    ]
    assert harmless == [], "these attacks change nothing under otter run: make them bite"


@pytest.mark.slow
def test_cached_references_still_hold_under_a_live_otter_run(built_suites):
    chosen = [
        (built_suites[suite], built_suites[suite].submissions[name]) for suite, name in LIVE_SAMPLE
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        live = list(pool.map(lambda pair: run_reference(*pair), chosen))
    for (built, submission), now in zip(chosen, live, strict=True):
        assert cached(built, submission) == now, f"{built.suite.name}/{submission.name}"
