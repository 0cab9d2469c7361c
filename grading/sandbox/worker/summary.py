"""Otter's test results as the JSON the host reads: per question, and per test case."""

from __future__ import annotations

from collections.abc import Mapping


def summarise(test_files: Mapping[str, object]) -> dict:
    """``{"questions": [...], "tests": [...]}`` from Otter ``TestFile`` objects by question."""
    questions, tests = [], []
    for name, test_file in test_files.items():
        score, possible = float(test_file.score), float(test_file.possible)
        questions.append({"name": name, "score": score, "possible": possible})
        for outcome in test_file.test_case_results:
            case = outcome.test_case
            # The instructor's words for this outcome, as Otter's summary shows them.
            note = case.success_message if outcome.passed else case.failure_message
            tests.append(
                {
                    "question": name,
                    "name": str(case.name),
                    "hidden": bool(case.hidden),
                    "passed": bool(outcome.passed),
                    "message": str(outcome.message or ""),
                    "note": "" if note is None else str(note),
                }
            )
    return {"questions": questions, "tests": tests}
