"""Stage 3 of the pipeline: turn what a sandbox left behind into a ``GradeResult``.

Scores come from the results file alone. Its content is checked field by field, since the
sandbox ran student code; anything malformed is an error, never a score.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from .model import (
    ERROR,
    GRADED,
    TAMPERED,
    TIMEOUT,
    GradeResult,
    QuestionScore,
    StoppedCell,
    TestOutcome,
)
from .sandbox import SandboxRun
from .sandbox.worker.outputs import clean_cells, question_cells

RESULTS_FILE = "grading.json"
MAX_RESULTS_BYTES = 8 * 1024 * 1024  # with the kept outputs (``outputs.MAX_SUBMISSION``)
MAX_EXECUTED_BYTES = 64 * 1024 * 1024  # otter run's executed notebook, read for its outputs
STATUSES = (GRADED, TAMPERED, ERROR, TIMEOUT)  # what a sandbox may report
MAX_NOTE = 2000  # characters of an instructor's message kept per test
MAX_TYPES = 50  # type names kept per question (live objects, values that did not cross)
MAX_TYPE_NAME = 200
MAX_STOPPED = 1000  # cells stopped by a limit (a notebook has fewer cells than that)
MAX_LIMIT_TEXT = 500
MAX_CELL = 1_000_000  # a cell index past this is no notebook's


class MalformedResults(ValueError):
    pass


def read_result(
    run: SandboxRun, out_dir: Path, *, engine: str, isolation: str, timeout: float
) -> GradeResult:
    """The result of one sandbox run, from its output folder."""
    base = {"engine": engine, "isolation": isolation, "seconds": run.seconds, "log": run.log}
    if run.timed_out:
        reason = f"exceeded the {timeout:g} s time limit for the whole submission"
        return GradeResult(status=TIMEOUT, reason=reason, **base)
    path = out_dir / RESULTS_FILE
    if not path.is_file():
        reason = f"the sandbox wrote no results (exit code {run.returncode}): {_last_line(run.log)}"
        return GradeResult(status=ERROR, reason=reason, **base)
    try:
        data = parse(path)
    except MalformedResults as error:
        return GradeResult(status=ERROR, reason=f"malformed results file: {error}", **base)
    return GradeResult(
        status=data["status"],
        reason=data["reason"],
        questions=data["questions"],
        tests=data["tests"],
        peak_memory_mb=data["peak_memory_mb"],
        live=data["live"],
        unfaithful=data["unfaithful"],
        stopped=data["stopped"],
        outputs=data["outputs"],
        **base,
    )


def parse(path: Path) -> dict:
    if path.stat().st_size > MAX_RESULTS_BYTES:
        raise MalformedResults(f"{path.name} is larger than {MAX_RESULTS_BYTES} bytes")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedResults(f"{path.name} is not JSON: {error}") from None
    if not isinstance(raw, dict) or raw.get("status") not in STATUSES:
        raise MalformedResults(f"status must be one of {', '.join(STATUSES)}")
    questions = [
        QuestionScore(
            name=_text(q, "name"), score=_number(q, "score"), possible=_number(q, "possible")
        )
        for q in _items(raw, "questions")
    ]
    for q in questions:
        if not 0 <= q.score <= q.possible:
            raise MalformedResults(f"question {q.name}: score {q.score} outside 0..{q.possible}")
    tests = [
        TestOutcome(
            question=_text(t, "question"),
            name=_text(t, "name"),
            hidden=_flag(t, "hidden"),
            passed=_flag(t, "passed"),
            message=_text(t, "message"),
            note=_text(t, "note")[:MAX_NOTE],
        )
        for t in _items(raw, "tests")
    ]
    return {
        "status": raw["status"],
        "peak_memory_mb": _number(raw, "peak_memory_mb") if "peak_memory_mb" in raw else 0.0,
        "reason": str(raw.get("reason", ""))[:4000],
        "questions": questions,
        "tests": tests,
        "live": _types_by_question(raw, "live"),
        "unfaithful": _types_by_question(raw, "unfaithful"),
        "stopped": [_stopped(item) for item in _items(raw, "stopped")[:MAX_STOPPED]],
        # the worker's grader wrote them (its notes are its own), from the student's process
        "outputs": clean_cells(raw.get("outputs"), notes_trusted=True),
    }


def executed_outputs(
    executed: Path, keep: list[str] | None, submitted: Path | None = None
) -> dict[str, list[dict]]:
    """The outputs of the kept cells in ``otter run``'s executed notebook, checked and bounded
    as the warm worker's (the kernel that wrote them ran the student's code: nothing in it is
    trusted). ``keep`` None: Otter's BEGIN/END QUESTION regions of the submitted notebook."""
    notebook = _json_file(executed, MAX_EXECUTED_BYTES)
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return {}
    if keep is None:
        keep = question_cells(_json_file(submitted, MAX_EXECUTED_BYTES) if submitted else None)
    wanted = set(keep)
    by_id = {
        c["id"]: c.get("outputs")
        for c in cells
        if isinstance(c, dict)
        and c.get("cell_type") == "code"
        and isinstance(c.get("id"), str)
        and c["id"] in wanted
    }
    return clean_cells(by_id)


def _json_file(path: Path, limit: int) -> object:
    """A JSON file's content, or None if it is missing, too large or not JSON."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > limit:
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None


def _types_by_question(raw: dict, key: str) -> dict[str, tuple[str, ...]]:
    """``{question: [type name, ...]}``, optional; bounded, since student code chose the types."""
    value = raw.get(key, {})
    if not isinstance(value, dict) or len(value) > MAX_STOPPED:
        raise MalformedResults(f"{key} must be an object of question -> list of type names")
    found = {}
    for question, names in value.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise MalformedResults(f"{key}[{question[:100]!r}] must be a list of type names")
        kept = sorted({n[:MAX_TYPE_NAME] for n in names if n})
        if kept:
            found[question[:MAX_TYPE_NAME]] = tuple(kept[:MAX_TYPES])
    return found


def _stopped(item: dict) -> StoppedCell:
    cell = item.get("cell")
    if cell is not None and (
        isinstance(cell, bool) or not isinstance(cell, int) or not 0 <= cell < MAX_CELL
    ):
        raise MalformedResults("stopped[].cell must be a cell index or null")
    limit = _text(item, "limit").strip()[:MAX_LIMIT_TEXT]
    if not limit:
        raise MalformedResults("stopped[].limit must say which limit stopped the cell")
    return StoppedCell(cell=cell, limit=limit)


def _items(raw: dict, key: str) -> list[dict]:
    items = raw.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise MalformedResults(f"{key} must be a list of objects")
    return items


def _text(item: dict, key: str) -> str:
    value = item.get(key, "")
    if not isinstance(value, str):
        raise MalformedResults(f"{key} must be a string")
    return value[:20000]


def _number(item: dict, key: str) -> float:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MalformedResults(f"{key} must be a finite number")
    return float(value)


def _flag(item: dict, key: str) -> bool:
    value = item.get(key)
    if not isinstance(value, bool):
        raise MalformedResults(f"{key} must be true or false")
    return value


def _last_line(log: str) -> str:
    lines = [line for line in log.strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else "no output"
