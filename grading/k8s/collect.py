"""``k8s collect``: merge the shards' results into the gradebook a local ``grade`` writes.

``RESULTS_DIR`` is the data volume copied back (``plan.json``, ``autograder.zip``,
``submissions/``, ``results/shard-<i>/``). Results are keyed as locally, by (notebook sha256,
autograder sha256), so collecting twice, or again after a failed shard was rerun, records each
result once. A shard with no folder is reported missing, one without ``_done.json`` or with
notebooks lacking a results file is reported failed, by index; what it did grade is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..api import keep_notebooks, record_result
from ..autograder import read_autograder
from ..errors import MissingInput, UsageError
from ..feedback import refresh_feedback
from ..gradebook import Gradebook
from ..model import Rejected, Submission
from ..outputs import final_grades_csv
from ..results import RESULTS_FILE, read_result
from ..sandbox import SandboxRun
from .plan import (
    AUTOGRADER_FILE,
    DONE_FILE,
    PLAN_FILE,
    PLAN_VERSION,
    RESULTS_DIR,
    SUBMISSIONS_DIR,
    shard_name,
)

ENGINE = "kubernetes"
SUBMISSION_FIELDS = ("origin", "student", "sha256", "source_format", "name", "email", "lms_id",
                     "sis_id", "late", "attempt")  # fmt: skip


@dataclass
class CollectSummary:
    """What a ``collect`` did; ``problems`` name every shard that is not complete."""

    out_dir: Path
    job: str
    recorded: int = 0  # submissions recorded by this collect
    skipped: int = 0  # already in the gradebook under this autograder
    rejected: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    missing_shards: list[int] = field(default_factory=list)
    failed_shards: dict[int, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.missing_shards and not self.failed_shards

    def problems(self) -> list[str]:
        lines = [f"shard {i}: missing (no {RESULTS_DIR}/{shard_name(i)})" for i in
                 self.missing_shards]  # fmt: skip
        lines += [f"shard {i}: failed: {why}" for i, why in sorted(self.failed_shards.items())]
        return lines


def collect_results(
    results_dir: Path, out_dir: Path, *, plan: Path | None = None
) -> CollectSummary:
    """Record every shard's results in ``out_dir`` as ``grade`` would, then final_grades.csv."""
    plan_path = plan or results_dir / PLAN_FILE
    record = load_plan(plan_path)
    zip_path = plan_path.parent / AUTOGRADER_FILE
    info = read_autograder(zip_path)
    if info.sha256 != record["autograder"]["sha256"]:
        raise UsageError(f"{zip_path} is not the autograder zip {plan_path.name} was planned with")
    timeout = float(record["limits"]["timeout"])
    submissions_dir = plan_path.parent / SUBMISSIONS_DIR
    groups: dict[str, list[Submission]] = {}
    shard_of: dict[str, int] = {}
    for item in record["submissions"]:
        groups.setdefault(item["sha256"], []).append(_submission(item, submissions_dir))
        shard_of[item["sha256"]] = int(item["shard"])

    summary = CollectSummary(out_dir=out_dir, job=record["job"])
    out_dir.mkdir(parents=True, exist_ok=True)
    with Gradebook(out_dir / "gradebook.sqlite") as book:
        run_id = book.start_run(
            info.sha256, record["autograder"]["source"], ENGINE, record["image"],
            timeout=timeout, job=record["job"], shards=record["shards"],
        )  # fmt: skip
        for item in record["rejected"]:
            book.reject(Rejected(item["origin"], item["reason"], item["student"]), info.sha256,
                        run_id)  # fmt: skip
        summary.rejected = len(record["rejected"])
        unfinished: dict[int, list[str]] = {}
        recorded: set[str] = set()
        for sha, group in groups.items():
            index = shard_of[sha]
            if book.has_result(sha, info.sha256):
                for submission in group:
                    book.add_submission(submission, run_id)
                summary.skipped += len(group)
                continue
            shard = _safe_dir(results_dir / RESULTS_DIR / shard_name(index))
            folder = _safe_dir(shard / sha) if shard else None
            if folder is None or not _regular_file(folder / RESULTS_FILE):
                unfinished.setdefault(index, []).append(group[0].origin)
                continue
            log = (
                f"graded on Kubernetes by job {record['job']}, completion index {index}; the"
                f" pod's output: kubectl logs -l job-name={record['job']},"
                f"batch.kubernetes.io/job-completion-index={index}\n"
            )
            run = SandboxRun(timed_out=False, returncode=0, log=log, seconds=0.0)
            result = read_result(run, folder, engine=ENGINE, isolation="container", timeout=timeout)
            keep_notebooks(out_dir, group[0], folder / "executed.ipynb")
            record_result(book, group, result, info, run_id, out_dir)
            recorded.add(sha)
            summary.recorded += len(group)
            summary.by_status[result.status] = summary.by_status.get(result.status, 0) + len(group)
        book.finish_run(run_id)
        final_grades_csv(book, info, out_dir / "final_grades.csv")
    refresh_feedback(out_dir, None, only=recorded)  # the files `grade` writes, the same way
    _shard_problems(summary, results_dir, record["shards"], unfinished)
    return summary


def load_plan(path: Path) -> dict:
    """``plan.json`` as ``write_plan`` made it; anything else is the caller's mistake."""
    if not path.is_file():
        raise MissingInput(
            f"{path}: no plan.json (copy the whole data volume back, or pass --plan)"
        )
    record = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(record, dict) or record.get("version") != PLAN_VERSION:
        raise UsageError(f"{path}: not a plan.json of version {PLAN_VERSION}")
    return record


def _submission(item: dict, submissions_dir: Path) -> Submission:
    submitted = item.get("submitted_at")
    return Submission(
        path=submissions_dir / f"{item['sha256']}.ipynb",
        submitted_at=datetime.fromisoformat(submitted) if submitted else None,
        **{key: item[key] for key in SUBMISSION_FIELDS},
    )


def _shard_problems(
    summary: CollectSummary, results_dir: Path, shards: int, unfinished: dict[int, list[str]]
) -> None:
    """A shard is complete when it wrote _done.json and every notebook's results."""
    for index in range(shards):
        folder = _safe_dir(results_dir / RESULTS_DIR / shard_name(index))
        if folder is None:
            summary.missing_shards.append(index)
            continue
        reasons = []
        if not _regular_file(folder / DONE_FILE):
            reasons.append(f"no {DONE_FILE} (the pod failed or has not finished)")
        if index in unfinished:
            origins = unfinished[index]
            shown = ", ".join(origins[:5]) + (f" and {len(origins) - 5} more" if len(origins) > 5
                                              else "")  # fmt: skip
            reasons.append(f"{len(origins)} notebook(s) without {RESULTS_FILE}: {shown}")
        if reasons:
            summary.failed_shards[index] = "; ".join(reasons)


def _safe_dir(path: Path) -> Path | None:
    """The folder, unless missing or a link: the pods wrote it, so links are not followed."""
    return path if path.is_dir() and not path.is_symlink() else None


def _regular_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()
