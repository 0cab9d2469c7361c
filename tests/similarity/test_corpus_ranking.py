"""On the committed corpus, copies rank above every honest pair and only copies are flagged."""

from __future__ import annotations

from grading.similarity.answers import REFERENCE
from grading.similarity.synthetic import ALL_DISGUISES

from .corpus import HONEST


def pair(row: dict[str, str]) -> frozenset[str]:
    return frozenset((row["student_a"], row["student_b"]))


def test_the_corpus_is_what_the_issue_asks_for(corpus):
    copies = [s for s in corpus.students if s.copied_from and s.copied_from != REFERENCE]
    assert len(corpus.honest) == HONEST >= 60
    assert len(copies) >= 12
    disguises = {d.split(" (")[0] for s in copies for d in s.disguises}
    wanted = {*ALL_DISGUISES, "helper inlined", "one answer a mistake", "derivation reworded"}
    assert wanted <= disguises
    assert corpus.solution_copy in {s.name for s in corpus.students}
    # Honest students really differ: no two hand in the same set of alternatives.
    honest = [s for s in corpus.students if s.copied_from is None]
    assert len({tuple(sorted(s.answers.items())) for s in honest}) == len(honest)


def test_every_copy_pair_ranks_above_every_honest_pair(reported):
    ranks = {pair(row): int(row["rank"]) for row in reported.rows}
    copied = reported.corpus.copied
    missing = [sorted(p) for p in copied if p not in ranks]
    assert not missing, f"copy pairs that share nothing that counts: {missing}"
    worst_copy = max(ranks[p] for p in copied)
    best_honest = min(r for p, r in ranks.items() if p not in copied)
    assert worst_copy < best_honest, (worst_copy, best_honest)
    assert worst_copy == len(copied)


def test_precision_and_recall_at_the_reports_own_threshold(reported):
    flagged = {pair(row) for row in reported.rows if row["flagged"] == "yes"}
    copied = reported.corpus.copied
    true = flagged & copied
    precision = len(true) / len(flagged) if flagged else 0.0
    recall = len(true) / len(copied)
    print(
        f"\nprecision {precision:.2f}, recall {recall:.2f}: {len(true)} of {len(copied)} copy pairs"
    )
    assert flagged - copied == set(), "an honest pair is flagged"
    assert (precision, recall) == (1.0, 1.0)
    assert reported.flagged == len(flagged)


def test_the_copied_solution_is_named(reported):
    rows = [row for row in reported.rows if pair(row) == {REFERENCE, reported.corpus.solution_copy}]
    assert len(rows) == 1 and rows[0]["flagged"] == "yes"
    assert rows[0]["rank"] == "1" or float(rows[0]["score"]) > 0.95
    assert "reference solution" in reported.html


def test_three_students_sharing_one_source_are_one_group(reported):
    sources: dict[str, set[str]] = {}
    for student in reported.corpus.students:
        if student.copied_from and student.copied_from != REFERENCE:
            sources.setdefault(student.copied_from, {student.copied_from}).add(student.name)
    (trio,) = [members for members in sources.values() if len(members) == 3]
    groups: dict[str, set[str]] = {}
    for row in reported.rows:
        if row["group"]:
            groups.setdefault(row["group"], set()).update(pair(row))
    assert list(groups.values()) == [trio]


def test_questions_that_contributed_are_listed(reported):
    for row in reported.rows:
        if row["flagged"] == "yes":
            assert len(row["questions"].split()) >= 30  # whole notebooks were copied
    mistaken = [
        s for s in reported.corpus.students if any("mistake (q10)" in d for d in s.disguises)
    ]
    (copy,) = mistaken
    (row,) = [row for row in reported.rows if pair(row) == {copy.name, copy.copied_from}]
    assert "q10" not in row["questions"].split()  # the answer they changed did not contribute
