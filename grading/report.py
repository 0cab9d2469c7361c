"""A class report: one self-contained HTML page an instructor opens after grading.

The page holds the class's numbers (students, submissions, mean / median / min / max of the final
totals), the score distribution, a per-question table, the hardest autograded questions and every
problem a person should look at (submissions that did not grade, with a link to their log, and
flagged students). Plots are PNGs drawn with matplotlib's Agg canvas and embedded as ``data:``
URIs; the page loads nothing else.

Every number on the page comes from :func:`summary_numbers` and is written twice: as text in a
fixed format (points ``"12.50"``, shares ``"41.7%"``) and, exactly, in a ``data-value``
attribute, next to ``data-question`` / ``data-field`` (or an ``id``) naming it.

Populations: the class numbers count every student (a missing submission counts as its final
total, 0); an autograded question counts every student who submitted (a submission that did not
grade scores 0); a manual question counts only the scores entered by hand so far.
"""

from __future__ import annotations

import base64
import html
import io
import math
import statistics
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .files import atomic_write
from .model import ERROR, GRADED, INVALID, MISSING, TAMPERED, TIMEOUT

if TYPE_CHECKING:
    from .lms.grades import StudentGrade

HARDEST = 5  # how many autograded questions "hardest questions" lists
_EPS = 1e-9
_PROBLEM_STATUSES = (TIMEOUT, ERROR, INVALID, TAMPERED)

# Colour-blind-safe (Okabe-Ito) colours, dark enough for white text / a white page.
_BLUE = "#0072B2"
_VERMILION = "#D55E00"
_GREY = "#8C8C8C"


@dataclass(frozen=True)
class Problem:
    """A submission that did not grade, for a person to look at."""

    student: str
    origin: str  # where the submission came from, as the gradebook says
    status: str  # timeout / error / invalid
    reason: str
    log_path: str | None  # relative to the report's folder ("logs/<student>-<sha8>.log"), or None

    def __post_init__(self) -> None:
        if self.log_path is not None and (
            PurePosixPath(self.log_path).is_absolute() or PureWindowsPath(self.log_path).anchor
        ):
            raise ValueError(f"log_path must be relative to the report: {self.log_path!r}")


# --------------------------------------------------------------------------- numbers


def _full(score: float, points: float) -> bool:
    return score >= points - _EPS


def _zero(score: float) -> bool:
    return abs(score) <= _EPS


def summary_numbers(
    grades: list[StudentGrade], questions: dict[str, tuple[float, bool]]
) -> dict[str, Any]:
    """The page's numbers, exactly (unrounded floats; ``None`` where there is no data).

    Keys: ``students``, ``submitted``, ``late``, ``penalised``, ``points_possible``, ``mean``,
    ``median``, ``min``, ``max`` (of ``final_total`` over all students), ``questions`` (name ->
    ``points``, ``manual``, ``n``, ``mean``, ``full_share``, ``zero_share``) and ``hardest``
    (up to five autograded question names, hardest first).
    """
    finals = [g.final_total for g in grades]
    submitted = [g for g in grades if g.status != MISSING]
    numbers: dict[str, Any] = {
        "students": len(grades),
        "submitted": len(submitted),
        "late": sum(1 for g in grades if g.late),
        "penalised": sum(1 for g in grades if g.penalty_fraction > 0),
        "points_possible": math.fsum(points for points, _ in questions.values()),
        "mean": statistics.fmean(finals) if finals else None,
        "median": statistics.median(finals) if finals else None,
        "min": min(finals) if finals else None,
        "max": max(finals) if finals else None,
    }
    per_question: dict[str, dict[str, Any]] = {}
    for name, (points, manual) in questions.items():
        if manual:
            scores = [g.manual[name] for g in grades if g.manual.get(name) is not None]
        else:
            scores = [g.autograded.get(name, 0.0) for g in submitted]
        n = len(scores)
        per_question[name] = {
            "points": float(points),
            "manual": bool(manual),
            "n": n,
            "mean": statistics.fmean(scores) if n else None,
            "full_share": sum(_full(s, points) for s in scores) / n if n else None,
            "zero_share": sum(_zero(s) for s in scores) / n if n else None,
        }
    numbers["questions"] = per_question
    order = {name: i for i, name in enumerate(questions)}
    candidates = [name for name, q in per_question.items() if not q["manual"] and q["n"] > 0]
    candidates.sort(
        key=lambda name: (
            per_question[name]["full_share"],
            per_question[name]["mean"] / per_question[name]["points"]
            if per_question[name]["points"] > 0
            else 1.0,
            order[name],
        )
    )
    numbers["hardest"] = candidates[:HARDEST]
    return numbers


# --------------------------------------------------------------------------- formatting


def format_points(value: float | None) -> str:
    """Points on the page: two decimals; an em dash where there is no value."""
    return "—" if value is None else f"{value:.2f}"


def format_share(value: float | None) -> str:
    """A share on the page: a percentage with one decimal; an em dash where there is none."""
    return "—" if value is None else f"{100 * value:.1f}%"


def _exact(value: float | int | None) -> str:
    return "" if value is None else repr(value)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _number_cell(question: str, field: str, value: float | None, text: str) -> str:
    shown = '<span aria-label="no score yet">—</span>' if value is None else _e(text)
    return (
        f'<td class="num" data-question="{_e(question)}" data-field="{field}"'
        f' data-value="{_exact(value)}">{shown}</td>'
    )


# --------------------------------------------------------------------------- plots


def _png_data_uri(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _style_axes(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=9)
    ax.set_axisbelow(True)


def _histogram(grades: list[StudentGrade], numbers: dict[str, Any]) -> tuple[str, str, int, int]:
    """(data URI, alt text, CSS width, CSS height) of the final-total histogram."""
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    finals = [g.final_total for g in grades]
    raws = [g.raw_total for g in grades]
    overlay = numbers["penalised"] > 0
    possible = numbers["points_possible"]
    top = max([possible, *finals, *(raws if overlay else [])]) or 1.0
    bins = int(min(25, max(5, round(top))))
    edges = np.linspace(0.0, top, bins + 1)

    width, height = 9.4, 3.4
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    _style_axes(ax)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.hist(finals, bins=edges, color=_BLUE, edgecolor="white", label="final total")
    if overlay:
        ax.hist(
            raws,
            bins=edges,
            histtype="step",
            color=_VERMILION,
            linewidth=2,
            label="before late penalty",
        )
    ax.axvline(numbers["mean"], color="#222222", linestyle="--", linewidth=1.2,
               label=f"mean {format_points(numbers['mean'])}")  # fmt: skip
    ax.set_xlim(0, top)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"points (out of {format_points(possible)})", fontsize=10)
    ax.set_ylabel("students", fontsize=10)
    # Above the axes, so it never hides a bar.
    ax.legend(fontsize=9, frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncols=3)
    alt = (
        f"Histogram of the final totals of {numbers['students']} students, out of"
        f" {format_points(possible)} points: mean {format_points(numbers['mean'])}, median"
        f" {format_points(numbers['median'])}, lowest {format_points(numbers['min'])},"
        f" highest {format_points(numbers['max'])}."
    )
    if overlay:
        alt += (
            f" An outline shows the totals before the late penalty, which applied to"
            f" {numbers['penalised']} students."
        )
    return _png_data_uri(fig), alt, int(width * 100), int(height * 100)


def _full_marks_chart(numbers: dict[str, Any]) -> tuple[str, str, int, int] | None:
    """(data URI, alt text, CSS width, CSS height) of the full-marks bar chart, or None."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    auto = [
        (name, q["full_share"])
        for name, q in numbers["questions"].items()
        if not q["manual"] and q["n"] > 0
    ]
    if not auto:
        return None
    hardest = set(numbers["hardest"])
    names = [name for name, _ in auto]
    shares = [100 * share for _, share in auto]
    colours = [_VERMILION if name in hardest else _GREY for name in names]

    width, height = 9.4, max(2.4, 0.32 * len(auto) + 1.2)
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    _style_axes(ax)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    positions = range(len(auto))
    ax.barh(positions, shares, color=colours, height=0.7)
    ax.set_yticks(list(positions), names, fontsize=9)
    ax.invert_yaxis()
    for y, share in zip(positions, shares, strict=True):
        ax.text(share + 1.5, y, f"{share:.1f}%", va="center", fontsize=8, color="#222222")
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel("students with full marks", fontsize=10)
    ax.legend(
        handles=[
            Patch(color=_VERMILION, label=f"{len(hardest)} hardest"),
            Patch(color=_GREY, label="other autograded"),
        ],
        fontsize=9,
        frameon=False,
        loc="lower left",
        bbox_to_anchor=(0, 1),
        ncols=2,
    )
    listed = ", ".join(
        f"{name} {format_share(numbers['questions'][name]['full_share'])}"
        for name in numbers["hardest"]
    )
    alt = (
        f"Bar chart of the share of students with full marks on each of {len(auto)} autograded"
        f" questions. Lowest: {listed}."
    )
    return _png_data_uri(fig), alt, int(width * 100), int(height * 100)


# --------------------------------------------------------------------------- problems


def _display(grade: StudentGrade | None, student: str) -> str:
    if not student:
        return '<span class="empty">unknown</span>'
    name = grade.roster.display_name if grade is not None and grade.roster else None
    if name and name != student:
        return f'{_e(name)} <span class="id">{_e(student)}</span>'
    return _e(student)


def _all_problems(grades: list[StudentGrade], problems: list[Problem]) -> list[Problem]:
    """The given problems plus chosen submissions that did not grade and are not among them."""
    seen = {(p.student, p.origin) for p in problems}
    extra = [
        Problem(
            g.student,
            g.origin or "",
            g.status,
            "; ".join(f for f in g.flags if f.startswith(g.status)) or g.status,
            None,
        )
        for g in grades
        if g.status in _PROBLEM_STATUSES and (g.student, g.origin or "") not in seen
    ]
    rank = {status: i for i, status in enumerate(_PROBLEM_STATUSES)}
    return sorted(
        [*problems, *extra], key=lambda p: (rank.get(p.status, len(rank)), p.student, p.origin)
    )


def _flag_kinds(grade: StudentGrade) -> list[str]:
    kinds = []
    if grade.status == MISSING:
        kinds.append("missing")
    if grade.late or grade.penalty_fraction > 0:
        kinds.append("late")
    if grade.other_submissions > 0:
        kinds.append("several submissions")
    if grade.roster is None:
        kinds.append("unmatched roster")
    return kinds


def _flag_details(grade: StudentGrade, kinds: list[str]) -> list[str]:
    details = list(grade.flags)
    text = " ".join(details).lower()
    if "missing" in kinds and "submission" not in text:
        details.append("no submission")
    if "late" in kinds and "late" not in text:
        details.append(
            f"late: -{grade.penalty_fraction:.0%}" if grade.penalty_fraction else "late, no penalty"
        )
    if "several submissions" in kinds and "submissions" not in text:
        details.append(f"{grade.other_submissions + 1} submissions")
    if "unmatched roster" in kinds:
        details.append("matches no roster student")
    return details


def _log_cell(problem: Problem, folder: Path) -> str:
    if problem.log_path is None:
        return '<td class="log">—</td>'
    rel = problem.log_path.replace("\\", "/")
    label = PurePosixPath(rel).name
    if not (folder / rel).is_file():
        return f'<td class="log">log not found: <code>{_e(rel)}</code></td>'
    return (
        f'<td class="log"><a href="{_e(quote(rel, safe="/"))}" data-log="{_e(rel)}">'
        f"{_e(label)}</a></td>"
    )


# --------------------------------------------------------------------------- page

_CSS = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --rule: #d0d0d0;
  --band: #f4f6f8; --accent: #0b5c8f; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 62rem; padding: 1.5rem 1.25rem 3rem; color: var(--ink);
  background: #fff; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto,
  "DejaVu Sans", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .75rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; padding-bottom: .2rem;
  border-bottom: 2px solid var(--rule); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.note, caption { color: var(--muted); font-size: .85rem; }
a { color: var(--accent); }
a:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; margin: 0;
  padding: 0; font-size: .9rem; }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(8.5rem, 1fr));
  gap: .5rem; margin: 0 0 1rem; }
.stats div { border: 1px solid var(--rule); border-radius: 6px; padding: .45rem .7rem;
  background: var(--band); }
.stats dt { font-size: .78rem; color: var(--muted); text-transform: uppercase;
  letter-spacing: .03em; }
.stats dd { margin: 0; font-size: 1.25rem; font-weight: 600;
  font-variant-numeric: tabular-nums; }
.stats dd .of { font-size: .8rem; font-weight: 400; color: var(--muted); }
figure { margin: .5rem 0 1rem; }
figure img { display: block; max-width: 100%; height: auto; }
figcaption { font-size: .85rem; color: var(--muted); margin-top: .3rem; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; font-size: .9rem; }
caption { text-align: left; caption-side: top; padding-bottom: .3rem; }
th, td { padding: .3rem .55rem; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
thead th { background: var(--band); border-bottom: 2px solid #b5b5b5; font-weight: 600; }
tbody tr:nth-child(even) { background: #fafbfc; }
th[scope="row"] { font-weight: 600; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th.num { text-align: right; }
.id { color: var(--muted); font-size: .8rem; margin-left: .3rem; }
.origin { word-break: break-all; font-size: .82rem; }
.badge { display: inline-block; padding: 0 .45rem; margin: 0 .25rem .1rem 0;
  border-radius: 999px; font-size: .76rem; font-weight: 600; color: #fff;
  background: #5a5a5a; white-space: nowrap; }
.badge.timeout, .badge.late { background: #8a4b00; }
.badge.error, .badge.missing { background: #a4262c; }
.badge.invalid, .badge.unmatched-roster { background: #5c2d91; }
.badge.several-submissions { background: #0b5c8f; }
.badge.manual { background: #3d6b35; }
.badge.autograded { background: #5a5a5a; }
ol.hardest li { margin: .15rem 0; }
.empty { color: var(--muted); font-style: italic; }
@page { margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  h2 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .stats div, thead th, tbody tr:nth-child(even) { background: none; }
  .badge { color: #000; background: none !important; border: 1px solid #000; }
  a { color: inherit; text-decoration: none; }
  td.log a::after { content: " (" attr(href) ")"; font-size: .8em; }
}
"""


def _stat(key: str, label: str, value: float | int | None, text: str, of: str = "") -> str:
    suffix = f' <span class="of">{_e(of)}</span>' if of else ""
    return (
        f'<div><dt>{_e(label)}</dt><dd id="stat-{key}" data-value="{_exact(value)}">'
        f"{_e(text)}{suffix}</dd></div>"
    )


def _header(title: str, numbers: dict[str, Any]) -> str:
    of = f"/ {format_points(numbers['points_possible'])}"
    stats = [
        _stat("students", "Students", numbers["students"], str(numbers["students"])),
        _stat("submitted", "Submitted", numbers["submitted"], str(numbers["submitted"]),
              f"of {numbers['students']}"),
        _stat("mean", "Mean", numbers["mean"], format_points(numbers["mean"]), of),
        _stat("median", "Median", numbers["median"], format_points(numbers["median"]), of),
        _stat("min", "Lowest", numbers["min"], format_points(numbers["min"]), of),
        _stat("max", "Highest", numbers["max"], format_points(numbers["max"]), of),
        _stat("late", "Late", numbers["late"], str(numbers["late"]),
              f"{numbers['penalised']} penalised"),
        _stat("points-possible", "Points possible", numbers["points_possible"],
              format_points(numbers["points_possible"])),
    ]  # fmt: skip
    return (
        f'<header>\n<h1 id="report-title">{_e(title)}</h1>\n'
        f'<dl class="stats" id="summary" aria-label="Class summary">\n'
        + "\n".join(stats)
        + "\n</dl>\n"
        '<p class="note">Mean, median, lowest and highest are of the final totals (after any'
        " late penalty) of all students; a missing submission counts as 0.</p>\n"
        '<nav aria-label="Sections"><ul>'
        '<li><a href="#distribution">Score distribution</a></li>'
        '<li><a href="#questions">Questions</a></li>'
        '<li><a href="#hardest">Hardest questions</a></li>'
        '<li><a href="#problems">Problems</a></li></ul></nav>\n</header>'
    )


def _figure(img_id: str, plot: tuple[str, str, int, int], caption: str) -> str:
    uri, alt, width, height = plot
    return (
        f'<figure><img id="{img_id}" src="{uri}" alt="{_e(alt)}" width="{width}"'
        f' height="{height}"><figcaption>{_e(caption)}</figcaption></figure>'
    )


def _distribution(grades: list[StudentGrade], numbers: dict[str, Any]) -> str:
    head = '<section id="distribution" aria-labelledby="distribution-h">\n'
    head += '<h2 id="distribution-h">Score distribution</h2>\n'
    if not grades:
        return head + '<p class="empty">No students.</p>\n</section>'
    caption = "Final totals of all students (missing submissions at 0)."
    if numbers["penalised"]:
        caption += " The outline shows the totals before the late penalty."
    return head + _figure("histogram", _histogram(grades, numbers), caption) + "\n</section>"


def _question_table(numbers: dict[str, Any]) -> str:
    rows = []
    for name, q in numbers["questions"].items():
        kind = "manual" if q["manual"] else "autograded"
        scored = f"{q['n']} graded by hand so far" if q["manual"] else str(q["n"])
        rows.append(
            f'<tr data-question="{_e(name)}" data-manual="{str(q["manual"]).lower()}">'
            f'<th scope="row">{_e(name)}</th>'
            f'<td><span class="badge {kind}">{kind}</span></td>'
            + _number_cell(name, "points", q["points"], format_points(q["points"]))
            + f'<td class="num" data-question="{_e(name)}" data-field="n"'
            f' data-value="{q["n"]}">{_e(scored)}</td>'
            + _number_cell(name, "mean", q["mean"], format_points(q["mean"]))
            + _number_cell(name, "full_share", q["full_share"], format_share(q["full_share"]))
            + _number_cell(name, "zero_share", q["zero_share"], format_share(q["zero_share"]))
            + "</tr>"
        )
    body = "\n".join(rows) or '<tr><td colspan="7" class="empty">No questions.</td></tr>'
    return (
        '<section id="questions" aria-labelledby="questions-h">\n'
        '<h2 id="questions-h">Questions</h2>\n'
        '<table id="question-table">\n'
        "<caption>Autograded questions count every student who submitted (a submission that"
        " did not grade scores 0); manual questions count only the scores entered by hand so"
        " far.</caption>\n"
        "<thead><tr>"
        '<th scope="col">Question</th><th scope="col">Kind</th>'
        '<th scope="col" class="num">Points</th><th scope="col" class="num">Scored</th>'
        '<th scope="col" class="num">Mean score</th>'
        '<th scope="col" class="num">Full marks</th>'
        '<th scope="col" class="num">Zero</th>'
        "</tr></thead>\n<tbody>\n" + body + "\n</tbody>\n</table>\n</section>"
    )


def _hardest(numbers: dict[str, Any]) -> str:
    out = (
        '<section id="hardest" aria-labelledby="hardest-h">\n'
        '<h2 id="hardest-h">Hardest questions</h2>\n'
    )
    if not numbers["hardest"]:
        return out + '<p class="empty">No autograded question has scores yet.</p>\n</section>'
    items = []
    for name in numbers["hardest"]:
        q = numbers["questions"][name]
        items.append(
            f'<li data-question="{_e(name)}" data-value="{_exact(q["full_share"])}">'
            f"<strong>{_e(name)}</strong>: {format_share(q['full_share'])} with full marks"
            f" (mean {format_points(q['mean'])} of {format_points(q['points'])})</li>"
        )
    out += (
        f'<p class="note">The {len(items)} autograded questions the fewest students got'
        " full marks on.</p>\n"
        '<ol class="hardest" id="hardest-list">\n' + "\n".join(items) + "\n</ol>\n"
    )
    chart = _full_marks_chart(numbers)
    if chart is not None:
        out += _figure(
            "full-marks-chart",
            chart,
            "Share of students with full marks on each autograded question; the hardest"
            " are highlighted.",
        )
    return out + "\n</section>"


def _problems(grades: list[StudentGrade], problems: list[Problem], folder: Path) -> str:
    by_student = {g.student: g for g in grades}
    rows = []
    for p in _all_problems(grades, problems):
        rows.append(
            f'<tr class="problem" data-student="{_e(p.student)}" data-status="{_e(p.status)}">'
            f'<th scope="row">{_display(by_student.get(p.student), p.student)}</th>'
            f'<td><span class="badge {_e(p.status)}">{_e(p.status)}</span></td>'
            f'<td class="origin">{_e(p.origin)}</td>'
            f'<td class="reason">{_e(p.reason)}</td>' + _log_cell(p, folder) + "</tr>"
        )
    flagged = []
    for g in grades:
        kinds = _flag_kinds(g)
        if not kinds and not (g.flags and g.status == GRADED):
            continue
        kinds = kinds or ["note"]
        badges = "".join(
            f'<span class="badge {_e(k.replace(" ", "-"))}">{_e(k)}</span>' for k in kinds
        )
        flagged.append(
            f'<tr class="flagged" data-student="{_e(g.student)}"'
            f' data-flags="{_e(",".join(kinds))}">'
            f'<th scope="row">{_display(g, g.student)}</th><td>{badges}</td>'
            f'<td class="origin">{_e(g.origin or "—")}</td>'
            f'<td class="reason">{_e("; ".join(_flag_details(g, kinds)))}</td></tr>'
        )
    out = (
        '<section id="problems" aria-labelledby="problems-h">\n'
        '<h2 id="problems-h">Problems</h2>\n'
        '<h3 id="failed-h">Submissions that did not grade</h3>\n'
    )
    if rows:
        out += (
            '<table id="problem-table" aria-labelledby="failed-h">\n'
            "<caption>Timeouts, errors and invalid inputs; each scored 0.</caption>\n"
            '<thead><tr><th scope="col">Student</th><th scope="col">Status</th>'
            '<th scope="col">Submission</th><th scope="col">Reason</th>'
            '<th scope="col">Log</th></tr></thead>\n<tbody>\n'
            + "\n".join(rows)
            + "\n</tbody>\n</table>\n"
        )
    else:
        out += '<p class="empty" id="problem-table">Every submission graded.</p>\n'
    out += '<h3 id="flagged-h">Students flagged</h3>\n'
    if flagged:
        out += (
            '<table id="flagged-table" aria-labelledby="flagged-h">\n'
            "<caption>Missing or late submissions, students who submitted more than once and"
            " submissions that match no roster student.</caption>\n"
            '<thead><tr><th scope="col">Student</th><th scope="col">Flags</th>'
            '<th scope="col">Graded submission</th><th scope="col">Details</th>'
            "</tr></thead>\n<tbody>\n" + "\n".join(flagged) + "\n</tbody>\n</table>\n"
        )
    else:
        out += '<p class="empty" id="flagged-table">No student flagged.</p>\n'
    return out + "</section>"


def render_report(
    grades: list[StudentGrade],
    questions: dict[str, tuple[float, bool]],
    problems: list[Problem],
    folder: Path,
    *,
    title: str,
) -> str:
    """The page's HTML; ``folder`` is where the page goes (log links are checked against it)."""
    numbers = summary_numbers(grades, questions)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="grading.report">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        _header(title, numbers),
        "<main>",
        _distribution(grades, numbers),
        _question_table(numbers),
        _hardest(numbers),
        _problems(grades, problems, folder),
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def write_report(
    grades: list[StudentGrade],
    questions: dict[str, tuple[float, bool]],
    problems: list[Problem],
    out: Path,
    *,
    title: str,
) -> None:
    """Write the class report to ``out`` (an .html file), replacing any earlier one whole."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    page = render_report(grades, questions, problems, out.parent, title=title)
    atomic_write(out, page)
