"""Fixtures for the Kubernetes plan and collect tests: a 3-shard plan of the bundled samples."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grading.autograder import read_autograder
from grading.k8s import write_plan
from grading.k8s.plan import ClusterOptions

from .k8s_helpers import IMAGE, SHARDS


@pytest.fixture(scope="module")
def plan_dir(assignment, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("k8s") / "plan"
    write_plan(
        [assignment.samples_dir],
        assignment.autograder_zip,
        out,
        ClusterOptions(image=IMAGE, shards=SHARDS),
    )
    return out


@pytest.fixture
def volume(plan_dir, tmp_path) -> Path:
    """The data volume after the plan's data/ was copied in (each test gets its own)."""
    target = tmp_path / "volume"
    shutil.copytree(plan_dir / "data", target)
    return target


@pytest.fixture(scope="module")
def zip_questions(assignment) -> dict[str, float]:
    return read_autograder(assignment.autograder_zip).questions
