"""Plain helpers of the Kubernetes tests (a module of its own: `conftest` is not importable by
name once several test folders have one)."""

from __future__ import annotations

import json
from pathlib import Path

from grading.gradebook import Gradebook

IMAGE = "registry.example.org/course/notebook-grader:2026"  # planning builds no image
SHARDS = 3


def plan_record(data: Path) -> dict:
    return json.loads((data / "plan.json").read_text())


def shard_members(data: Path) -> dict[int, list[str]]:
    """Shard index -> the distinct notebooks (sha256) it grades, from plan.json."""
    shards: dict[int, list[str]] = {}
    for item in plan_record(data)["submissions"]:
        members = shards.setdefault(item["shard"], [])
        if item["sha256"] not in members:
            members.append(item["sha256"])
    return shards


def fake_outcome(sha256: str, questions: dict[str, float]) -> dict:
    """A grading.json as the worker writes it, its scores drawn from the notebook's hash."""
    scored = []
    for i, (name, points) in enumerate(sorted(questions.items())):
        full = int(sha256[i % len(sha256)], 16) % 2 == 0
        scored.append({"name": name, "score": points if full else 0.0, "possible": points})
    tests = [
        {"question": q["name"], "name": f"{q['name']} - 1", "hidden": False,
         "passed": q["score"] == q["possible"], "message": "" if q["score"] else "wrong"}
        for q in scored
    ]  # fmt: skip
    return {"status": "graded", "reason": "", "questions": scored, "tests": tests,
            "peak_memory_mb": 100.0 + int(sha256[:2], 16)}  # fmt: skip


def write_shard(
    data: Path,
    index: int,
    questions: dict[str, float],
    *,
    done: bool = True,
    skip: int = 0,
    plan: Path | None = None,
) -> list[str]:
    """Fabricate what pod ``index`` leaves: results for all but the last ``skip`` notebooks.

    ``plan``: the folder of plan.json, when it is not in ``data``.
    """
    members = shard_members(plan or data)[index]
    written = members[: len(members) - skip]
    folder = data / "results" / f"shard-{index}"
    for sha in written:
        (folder / sha).mkdir(parents=True, exist_ok=True)
        (folder / sha / "grading.json").write_text(json.dumps(fake_outcome(sha, questions)))
    if done:
        (folder / "_done.json").write_text(json.dumps({"graded": len(written)}))
    return written


def gradebook_rows(out: Path) -> list[tuple]:
    """What must agree between a local run and a cluster run: who, which bytes, what score."""
    with Gradebook(out / "gradebook.sqlite") as book:
        rows = book.rows(book.latest_autograder())
        return sorted((r.student, r.sha256, r.status, r.questions) for r in rows)
