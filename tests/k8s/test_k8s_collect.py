"""`k8s collect`: shard results into the local gradebook; gaps named by index, no double counts."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from grading.cli import main
from grading.k8s import collect_results
from grading.model import ERROR, GRADED, INVALID

from .k8s_helpers import SHARDS, fake_outcome, plan_record, shard_members, write_shard


def counts(out: Path) -> tuple[int, int, int]:
    db = sqlite3.connect(out / "gradebook.sqlite")
    try:
        return tuple(
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("results", "submissions", "question_results")
        )
    finally:
        db.close()


def statuses(out: Path) -> dict[str, tuple[str, float]]:
    db = sqlite3.connect(out / "gradebook.sqlite")
    try:
        rows = db.execute(
            "SELECT s.sha256, r.status, r.score FROM submissions s JOIN results r USING (sha256)"
        ).fetchall()
    finally:
        db.close()
    return {sha: (status, score) for sha, status, score in rows}


def test_collect_records_every_shard_as_a_local_run_would(volume, zip_questions, tmp_path):
    for index in range(SHARDS):
        write_shard(volume, index, zip_questions)
    out = tmp_path / "graded"
    summary = collect_results(volume, out)
    record = plan_record(volume)
    assert summary.complete and summary.problems() == []
    assert summary.recorded == len(record["submissions"]) and summary.by_status == {
        GRADED: len(record["submissions"])
    }
    expected = {
        item["sha256"]: sum(q["score"] for q in fake_outcome(item["sha256"], zip_questions)[
            "questions"])
        for item in record["submissions"]
    }  # fmt: skip
    assert statuses(out) == {sha: (GRADED, score) for sha, score in expected.items()}
    assert len(set(expected.values())) > 1  # the scores differ, so a mix-up would show
    with open(out / "final_grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["file"] == "points-per-question"
    by_origin = {r["file"]: r for r in rows[1:]}
    assert set(by_origin) == {item["origin"] for item in record["submissions"]}
    for item in record["submissions"]:
        row = by_origin[item["origin"]]
        assert float(row["total_points_earned"]) == expected[item["sha256"]]
        assert row["grading_status"] == "Completed"
        stem = f"{item['student']}-{item['sha256'][:8]}"
        assert (out / "feedback" / f"{stem}.txt").is_file()
        assert f"completion index {item['shard']}" in (out / "logs" / f"{stem}.log").read_text()
        kept = out / "submissions" / f"{item['sha256']}.ipynb"
        assert kept.read_bytes() == (volume / "submissions" / kept.name).read_bytes()


def test_collecting_twice_counts_nothing_twice(volume, zip_questions, tmp_path):
    for index in range(SHARDS):
        write_shard(volume, index, zip_questions)
    out = tmp_path / "graded"
    first = collect_results(volume, out)
    before, csv_before = counts(out), (out / "final_grades.csv").read_text()
    second = collect_results(volume, out)
    assert second.recorded == 0 and second.skipped == first.recorded
    assert counts(out) == before
    assert before[0] == len({i["sha256"] for i in plan_record(volume)["submissions"]}) and before[
        2
    ] == before[0] * len(zip_questions)
    assert (out / "final_grades.csv").read_text() == csv_before


def test_a_missing_shard_is_named_and_collected_once_it_arrives(volume, zip_questions, tmp_path):
    write_shard(volume, 0, zip_questions)
    write_shard(volume, 2, zip_questions)
    out = tmp_path / "graded"
    summary = collect_results(volume, out)
    members = shard_members(volume)
    assert summary.missing_shards == [1] and summary.failed_shards == {}
    assert summary.problems() == ["shard 1: missing (no results/shard-1)"]
    assert set(statuses(out)) == set(members[0]) | set(members[2])
    write_shard(volume, 1, zip_questions)  # the shard's pod was rerun
    again = collect_results(volume, out)
    assert again.complete and again.recorded == len(members[1])
    assert set(statuses(out)) == {sha for m in members.values() for sha in m}


def test_a_failed_shard_is_named_with_what_it_lacks(volume, zip_questions, tmp_path):
    write_shard(volume, 0, zip_questions)
    write_shard(volume, 1, zip_questions, skip=1)  # finished, yet one notebook has no results
    write_shard(volume, 2, zip_questions, done=False, skip=1)  # the pod died mid-shard
    summary = collect_results(volume, tmp_path / "graded")
    members = shard_members(volume)
    assert summary.missing_shards == [] and sorted(summary.failed_shards) == [1, 2]
    assert "_done.json" not in summary.failed_shards[1]
    assert "_done.json" in summary.failed_shards[2]
    origin = {i["sha256"]: i["origin"] for i in plan_record(volume)["submissions"]}
    for index in (1, 2):
        assert (
            f"1 notebook(s) without grading.json: {origin[members[index][-1]]}"
            in (summary.failed_shards[index])
        )
    recorded = set(statuses(tmp_path / "graded"))
    assert members[1][-1] not in recorded and members[2][0] in recorded


def test_malformed_or_linked_results_never_become_scores(volume, zip_questions, tmp_path):
    for index in range(SHARDS):
        write_shard(volume, index, zip_questions)
    members = shard_members(volume)
    bad, linked = members[0][0], members[1][0]
    (volume / "results" / "shard-0" / bad / "grading.json").write_text('{"status": "graded", ')
    target = volume / "results" / "shard-1" / linked / "grading.json"
    outside = tmp_path / "outside.json"
    outside.write_text(target.read_text())
    target.unlink()
    target.symlink_to(outside)
    summary = collect_results(volume, tmp_path / "graded")
    found = statuses(tmp_path / "graded")
    assert found[bad] == (ERROR, 0.0)
    assert linked not in found and 1 in summary.failed_shards


def test_rejected_inputs_reach_the_gradebook_like_a_local_run(assignment, tmp_path, zip_questions):
    from grading.k8s import write_plan
    from grading.k8s.plan import ClusterOptions

    from .k8s_helpers import IMAGE

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "weak.ipynb").write_bytes((assignment.samples_dir / "weak.ipynb").read_bytes())
    (inputs / "broken.ipynb").write_text("{ not json")
    write_plan([inputs], assignment.autograder_zip, tmp_path / "plan",
               ClusterOptions(image=IMAGE, shards=1))  # fmt: skip
    volume = tmp_path / "plan" / "data"
    write_shard(volume, 0, zip_questions)
    summary = collect_results(volume, tmp_path / "graded")
    assert summary.rejected == 1 and summary.complete
    with open(tmp_path / "graded" / "final_grades.csv", newline="") as f:
        status = {Path(r["file"]).name: r["grading_status"] for r in csv.DictReader(f)}
    assert status["weak.ipynb"] == "Completed"
    assert status["broken.ipynb"].startswith(f"{INVALID}: ")


def test_collect_refuses_results_of_another_autograder(volume, tmp_path):
    record = plan_record(volume)
    record["autograder"]["sha256"] = "0" * 64
    (volume / "plan.json").write_text(json.dumps(record))
    with pytest.raises(ValueError, match="not the autograder zip"):
        collect_results(volume, tmp_path / "graded")
    with pytest.raises(FileNotFoundError, match="plan.json"):
        collect_results(tmp_path / "nowhere", tmp_path / "graded")


def test_cli_collect_exits_1_and_names_the_missing_shard(volume, zip_questions, tmp_path, capsys):
    write_shard(volume, 0, zip_questions)
    write_shard(volume, 1, zip_questions)
    plan_file = tmp_path / "plan.json"  # --plan: the plan kept apart from the results
    (volume / "plan.json").rename(plan_file)
    (volume / "autograder.zip").rename(tmp_path / "autograder.zip")
    out = tmp_path / "graded"
    assert main(["k8s", "collect", str(volume), "--out", str(out), "--plan", str(plan_file)]) == 1
    captured = capsys.readouterr()
    recorded = sum(len(m) for i, m in shard_members(tmp_path).items() if i != 2)
    assert f"recorded {recorded} ({recorded} graded)" in captured.out
    assert "shard 2: missing" in captured.err
    write_shard(volume, 2, zip_questions, plan=tmp_path)
    assert main(["k8s", "collect", str(volume), "--out", str(out), "--plan", str(plan_file)]) == 0
    assert f"{recorded} already collected" in capsys.readouterr().out
