"""A 3-shard plan run pod by pod in podman, then collected: the same gradebook as `grade`.

Each pod runs the very image, command and args (its completion index expanded as Kubernetes
does), security context, limits and volumes of the generated job.yaml; see ``k8s_pod``.
"""

from __future__ import annotations

import json
import shutil

import pytest

from grading.k8s import collect_results, write_plan
from grading.k8s.plan import ClusterOptions

from .k8s_helpers import SHARDS, gradebook_rows, shard_members
from .k8s_pod import run_pod

pytestmark = pytest.mark.slow


def test_three_pods_grade_the_samples_like_one_local_run(
    assignment, podman, grading_image, graded_samples, tmp_path
):
    plan = tmp_path / "plan"
    write_plan(
        [assignment.samples_dir],
        assignment.autograder_zip,
        plan,
        ClusterOptions(image=grading_image, shards=SHARDS),
    )
    volume = tmp_path / "volume"
    shutil.copytree(plan / "data", volume)  # what the README's tar | kubectl exec does
    members = shard_members(volume)
    for index in range(SHARDS):
        proc = run_pod(podman, plan, volume, index)
        assert proc.returncode == 0, f"pod {index}:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
        shard = volume / "results" / f"shard-{index}"
        assert json.loads((shard / "_done.json").read_text())["graded"] == len(members[index])
        assert sorted(p.name for p in shard.iterdir() if p.is_dir()) == sorted(members[index])

    out = tmp_path / "graded"
    summary = collect_results(volume, out)
    assert summary.complete, summary.problems()
    _, local = graded_samples  # `python -m grading grade` (grading.api.grade) in podman
    merged = gradebook_rows(out)
    assert merged == gradebook_rows(local)
    assert len({sum(questions.values()) for *_, questions in merged}) > 1  # scores differ
    local_csv = (local / "final_grades.csv").read_text()
    assert (out / "final_grades.csv").read_text() == local_csv
    for feedback in (local / "feedback").iterdir():
        assert (out / "feedback" / feedback.name).read_text() == feedback.read_text()

    again = collect_results(volume, out)  # collecting twice counts nothing twice
    assert again.recorded == 0 and again.skipped == summary.recorded
    assert gradebook_rows(out) == merged
    assert (out / "final_grades.csv").read_text() == local_csv
