"""``otter run``'s result for every compatibility submission, cached in ``reference/``.

``otter run`` takes 5-10 s a notebook, so its results are committed: one JSON file per
submission, ``reference/<suite>/<submission>.json``, holding the per-question scores, the
top-level score of ``results.json`` (Otter writes one for ``points_possible`` and
``score_threshold``) and the key it was computed for. The key hashes what decides the result:
the suite's SOURCE files (``otter assign`` and ``otter generate`` stamp times into their zips),
the submission's bytes and Otter's version. A miss runs ``otter run`` on this host and writes
the entry for a developer to commit; under ``CI=true`` a miss fails instead, so a stale cache
cannot pass unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from grading.otter_run import OtterRunError, otter_results, question_scores

from .suites import HERE, Built, Submission

REFERENCE_DIR = HERE / "reference"
GRADED = "graded"
ERROR = "error"
TIMEOUT_STATUS = "timeout"
TIMEOUT = 300  # seconds of `otter run` for one notebook
OTTER_ERRORS = ("Autograder Error", "Autograder Failed")
IN_CI = os.environ.get("CI", "").lower() == "true"


@dataclass(frozen=True)
class Reference:
    status: str  # GRADED; ERROR when Otter refused or failed the submission; TIMEOUT_STATUS
    questions: dict[str, float] = field(default_factory=dict)
    score: float | None = None  # results.json's top-level score, when Otter writes one
    reason: str = ""
    possible: dict[str, float] = field(default_factory=dict)  # each question's max_score


def reference_key(built: Built, submission: Submission) -> tuple[str, dict]:
    """The cache key of one submission's reference, and the description of what it hashes."""
    inputs = {
        "otter": metadata.version("otter-grader"),
        "suite": built.suite.name,
        "builder": type(built.suite).__name__,
        "sources": built.suite.source_digest(),
        "submission": submission.name,
        "submission_sha256": submission.sha256,
    }
    key = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    return key, inputs


def entry_path(built: Built, submission: Submission) -> Path:
    return REFERENCE_DIR / built.suite.name / f"{submission.name}.json"


def cached(built: Built, submission: Submission) -> Reference | None:
    """The committed reference, if it was computed for exactly these inputs."""
    path = entry_path(built, submission)
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if entry.get("key") != reference_key(built, submission)[0]:
        return None
    return Reference(
        **{k: entry[k] for k in ("status", "questions", "score", "reason", "possible")}
    )


def run_reference(built: Built, submission: Submission) -> Reference:
    """Grade one submission with ``otter run`` on this host, now."""
    try:
        results = otter_results(built.path(submission.name), built.autograder_zip, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return Reference(status=TIMEOUT_STATUS, reason=f"otter run took over {TIMEOUT} s")
    except OtterRunError as error:
        lines = [line for line in str(error).splitlines() if line.strip()]
        return Reference(status=ERROR, reason=lines[-1].strip())
    names = {test.get("name") for test in results.get("tests", [])}
    if names & set(OTTER_ERRORS):
        return Reference(status=ERROR, score=results.get("score"), reason="Otter: " + str(names))
    possible = {
        test["name"]: float(test["max_score"])
        for test in results.get("tests", [])
        if "max_score" in test and test.get("name") != "Public Tests"
    }
    return Reference(GRADED, question_scores(results), results.get("score"), "", possible)


def store(built: Built, submission: Submission, reference: Reference) -> None:
    key, inputs = reference_key(built, submission)
    path = entry_path(built, submission)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"key": key, **asdict(reference), "inputs": inputs}
    path.write_text(json.dumps(entry, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def references(built: Built) -> dict[str, Reference]:
    """Every submission's reference, running ``otter run`` for the misses (not in CI)."""
    found = {name: cached(built, s) for name, s in built.submissions.items()}
    missing = [built.submissions[name] for name, ref in found.items() if ref is None]
    if missing and IN_CI:
        names = ", ".join(s.name for s in missing)
        raise AssertionError(
            f"{built.suite.name}: no current `otter run` reference for {names}: run "
            "`pytest tests/otter_compat` on a developer machine and commit tests/otter_compat/"
            "reference/"
        )
    with ThreadPoolExecutor(max_workers=2) as pool:
        for submission, reference in zip(
            missing, pool.map(lambda s: run_reference(built, s), missing), strict=True
        ):
            store(built, submission, reference)
            found[submission.name] = reference
    return found


def orphans(built: Built) -> list[Path]:
    """Committed entries of submissions the suite no longer has."""
    folder = REFERENCE_DIR / built.suite.name
    known = {entry_path(built, s) for s in built.submissions.values()}
    return sorted(p for p in folder.glob("*.json") if p not in known)
