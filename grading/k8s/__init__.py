"""Grading on a Kubernetes cluster with the same image and isolation as a local run.

``plan`` shards the submissions and writes the manifests of one Indexed Job (each pod grades
the shard named by its completion index); ``collect`` merges the shards' results into the same
gradebook and ``final_grades.csv`` that ``grading.api.grade`` writes.
"""

from __future__ import annotations

from .collect import CollectSummary, collect_results
from .plan import PlanSummary, write_plan

__all__ = ["CollectSummary", "PlanSummary", "collect_results", "write_plan"]
