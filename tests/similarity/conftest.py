"""The similarity corpus written as a ``grade`` folder and reported on once per session."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

from grading.similarity import write_similarity_report
from grading.similarity.synthetic import write_grade_folder

from .corpus import Corpus, build_corpus


@dataclass(frozen=True)
class Reported:
    folder: Path
    corpus: Corpus
    rows: list[dict[str, str]]  # similarity.csv
    html: str
    flagged: int


@pytest.fixture(scope="session")
def corpus(assignment) -> Corpus:
    return build_corpus(assignment)


@pytest.fixture(scope="session")
def reported(assignment, corpus, tmp_path_factory) -> Reported:
    folder = tmp_path_factory.mktemp("similarity-class")
    write_grade_folder(folder, assignment, corpus.students)
    summary = write_similarity_report(folder, assignment, workers=2)
    with summary.csv.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return Reported(folder, corpus, rows, summary.html.read_text(), summary.flagged)
