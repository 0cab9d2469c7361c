"""The page is escaped, offline and honest about what it is; bad notebooks are skipped."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import re

import pytest

from grading.cli import main
from grading.similarity import write_similarity_report
from grading.similarity.answers import REFERENCE
from grading.similarity.synthetic import SyntheticStudent, write_grade_folder

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_the_page_works_offline_under_its_own_strict_policy(reported):
    page = reported.html
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in policy
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy  # the inline stylesheet is the one the policy allows


def test_the_page_says_it_is_a_lead_not_a_verdict_and_marks_shared_regions(reported):
    page = reported.html
    assert "never a verdict" in page and "for a person to review" in page
    assert page.count("<mark>") > 100
    first = next(row for row in reported.rows if row["rank"] == "1")
    assert first["student_a"] in page and first["student_b"] in page


@pytest.fixture(scope="module")
def hostile_class(assignment, corpus, tmp_path_factory):
    """Two honest students, a copier whose answers and name carry HTML, a broken notebook."""
    folder = tmp_path_factory.mktemp("hostile-class")
    honest = [s for s in corpus.students if s.copied_from is None][:3]
    source = honest[0]
    answers = {q: f"{text}\n# {PAYLOAD}\n" for q, text in source.answers.items()}
    answers["q3a"] = f"{source.answers['q3a']}\n\n{PAYLOAD}"
    evil = SyntheticStudent(f"evil{PAYLOAD}", answers, source.name)
    broken = SyntheticStudent("broken", {**honest[2].answers, "q1a": "# a notebook of its own"})
    hashes = write_grade_folder(folder, assignment, [*honest, evil, broken])
    (folder / "submissions" / f"{hashes['broken']}.ipynb").write_text("{not json")
    return folder, source.name, evil.name


def test_student_content_is_escaped_and_a_broken_notebook_is_skipped(assignment, hostile_class):
    folder, source, evil = hostile_class
    summary = write_similarity_report(folder, assignment, workers=1)
    page = summary.html.read_text()
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    (problem,) = summary.problems
    assert "submissions/" in problem and "broken" in problem
    assert "not a readable notebook" in problem
    assert "not a readable notebook" in page
    with summary.csv.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["student_a"] in (source, evil) and rows[0]["student_b"] in (source, evil)
    assert rows[0]["flagged"] == "yes"
    assert all("broken" not in (row["student_a"], row["student_b"]) for row in rows)
    assert summary.students == 4


def test_the_command_line_writes_both_files(assignment, hostile_class, capsys):
    folder, _, _ = hostile_class
    code = main(["similarity", "--out", str(folder), "--workers", "1", "--min-similarity", "0.9"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "similarity.html" in out.out and "not verdicts" in out.out
    assert "not a readable notebook" in out.err
    header = (folder / "similarity.csv").read_text().splitlines()[0].split(",")
    assert {"student_a", "student_b", "score", "questions"} <= set(header)


def test_a_folder_without_a_gradebook_is_a_clear_error(tmp_path, capsys):
    assert main(["similarity", "--out", str(tmp_path)]) == 2
    assert "gradebook.sqlite" in capsys.readouterr().err


def test_notebooks_without_cell_ids_are_matched_by_their_answer_cells(assignment, corpus, tmp_path):
    student = next(s for s in corpus.students if s.copied_from is None)
    hashes = write_grade_folder(tmp_path, assignment, [student])
    path = tmp_path / "submissions" / f"{hashes[student.name]}.ipynb"
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        cell.pop("id", None)
    path.write_text(json.dumps(notebook))
    from grading.similarity.answers import read_class

    answers = read_class(tmp_path, assignment)
    (read,) = [p for p in answers.participants if p.name != REFERENCE]
    assert read.answers["q10"] == student.answers["q10"]
    assert read.answers["q3a"] == student.answers["q3a"]
