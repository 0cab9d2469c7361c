"""A class report: one self-contained HTML page an instructor opens after grading.

The page holds the class's numbers (students, submissions, mean / median / min / max of the final
totals), how the class was graded (by ``otter run`` and why, the limits in force, Otter's totals
rule), the score distribution, a per-question table (with what a question's test touched in the
student process, and where its score may differ from ``otter run``'s), the hardest autograded
questions and every problem a person should look at (submissions that did not grade, with a link
to their log, and flagged students, cells stopped by a limit among them). Plots are PNGs drawn
with matplotlib's Agg canvas and embedded as ``data:`` URIs; the page loads nothing else. Python
prepares the page's data (every number already formatted, next to its exact value);
``templates/report/report.html.j2`` lays it out, escaped by Jinja2's autoescape like every page
(:mod:`grading.templating`).

Every number on the page comes from :func:`summary_numbers` and is written twice: as text in a
fixed format (points ``"12.50"``, shares ``"41.7%"``) and, exactly, in a ``data-value``
attribute, next to ``data-question`` / ``data-field`` (or an ``id``) naming it.

Populations: the class numbers count every student (a missing submission counts as its final
total, 0); an autograded question counts every student who submitted (a submission that did not
grade scores 0); a manual question counts only the scores entered by hand so far.
"""

from __future__ import annotations

import base64
import io
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .files import atomic_write
from .model import ERROR, GRADED, INVALID, MISSING, TAMPERED, TIMEOUT
from .templating import render

if TYPE_CHECKING:
    from .lms.grades import StudentGrade

HARDEST = 5  # how many autograded questions "hardest questions" lists
STOPPED_FLAG = "stopped by a limit"  # a cell of the submission hit a limit otter run lacks
_EPS = 1e-9
_PROBLEM_STATUSES = (TIMEOUT, ERROR, INVALID, TAMPERED)

# Colour-blind-safe (Okabe-Ito) colours, dark enough for white text / a white page.
_BLUE = "#0072B2"
_VERMILION = "#D55E00"
_GREY = "#8C8C8C"


@dataclass(frozen=True)
class GradingFacts:
    """How the class was graded, as the gradebook recorded it: lines for the page's header and,
    per question, the type names its test met (question -> type name -> submissions)."""

    notes: tuple[str, ...] = ()
    live: dict[str, dict[str, int]] = field(default_factory=dict)
    unfaithful: dict[str, dict[str, int]] = field(default_factory=dict)

    def labels(self, question: str) -> list[str]:
        """The question's honest labels: where its score came from the student process, and
        where it may differ from ``otter run``'s."""
        labels = []
        if live := self.live.get(question):
            labels.append(f"computed in the student process: {_counted(live)}")
        if unfaithful := self.unfaithful.get(question):
            labels.append(
                f"the test's {_counted(unfaithful)} could not reach the student's code: score"
                " may differ from otter run"
            )
        return labels


def _counted(types: dict[str, int]) -> str:
    """ "Dog (3 submissions), Axes (1 submission)"."""
    return ", ".join(
        f"{name} ({n} submission{'s' if n != 1 else ''})" for name, n in sorted(types.items())
    )


@dataclass(frozen=True)
class Problem:
    """A submission that did not grade, for a person to look at."""

    student: str
    origin: str  # where the submission came from, as the gradebook says
    status: str  # timeout / error / invalid
    reason: str
    log_path: str | None  # relative to the report's folder ("logs/STUDENT-SHA8.log"), or None

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
    # Each grade's points possible follow Otter's totals (points_possible rescales them).
    summed = math.fsum(points for points, _ in questions.values())
    numbers: dict[str, Any] = {
        "students": len(grades),
        "submitted": len(submitted),
        "late": sum(1 for g in grades if g.late),
        "penalised": sum(1 for g in grades if g.penalty_fraction > 0),
        "points_possible": grades[0].points_possible if grades else summed,
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


@dataclass(frozen=True)
class _Shown:
    """A number as the page writes it: ``text`` in its fixed format, ``value`` exactly (the
    ``data-value`` attribute; ``""`` where there is no value, shown as an em dash)."""

    text: str
    value: str


def _points(value: float | None) -> _Shown:
    return _Shown(format_points(value), _exact(value))


def _share(value: float | None) -> _Shown:
    return _Shown(format_share(value), _exact(value))


def _count(value: int) -> _Shown:
    return _Shown(str(value), _exact(value))


# --------------------------------------------------------------------------- plots


@dataclass(frozen=True)
class _Plot:
    """A plot as the page embeds it: a PNG ``data:`` URI, its alt text and CSS size."""

    uri: str
    alt: str
    width: int
    height: int


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


def _histogram(grades: list[StudentGrade], numbers: dict[str, Any]) -> _Plot:
    """The final-total histogram."""
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
    return _Plot(_png_data_uri(fig), alt, int(width * 100), int(height * 100))


def _full_marks_chart(numbers: dict[str, Any]) -> _Plot | None:
    """The full-marks bar chart, or None when no autograded question has scores."""
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
    return _Plot(_png_data_uri(fig), alt, int(width * 100), int(height * 100))


# --------------------------------------------------------------------------- problems


def _display_name(grade: StudentGrade | None, student: str) -> str | None:
    """The roster's name for ``student``, when there is one and it says more than the id."""
    name = grade.roster.display_name if grade is not None and grade.roster else None
    return name if name and name != student else None


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
    if grade.stopped:
        kinds.append(STOPPED_FLAG)
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
    details += [cell.describe() for cell in grade.stopped]
    return details


@dataclass(frozen=True)
class _LogLink:
    """A problem's log: ``path`` relative to the report, ``href`` its URL-quoted link."""

    path: str
    href: str
    label: str
    found: bool


def _log_link(problem: Problem, folder: Path) -> _LogLink | None:
    if problem.log_path is None:
        return None
    rel = problem.log_path.replace("\\", "/")
    return _LogLink(rel, quote(rel, safe="/"), PurePosixPath(rel).name, (folder / rel).is_file())


@dataclass(frozen=True)
class _ProblemRow:
    student: str
    name: str | None  # the roster's name, when it says more than ``student``
    status: str
    origin: str
    reason: str
    log: _LogLink | None


@dataclass(frozen=True)
class _FlaggedRow:
    student: str
    name: str | None
    kinds: tuple[str, ...]
    origin: str | None
    details: tuple[str, ...]


@dataclass(frozen=True)
class _QuestionRow:
    name: str
    manual: bool
    points: _Shown
    n: _Shown
    mean: _Shown
    full_share: _Shown
    zero_share: _Shown
    labels: tuple[str, ...] = ()  # what the question's test touched in the student process


def _problem_rows(
    grades: list[StudentGrade], problems: list[Problem], folder: Path
) -> list[_ProblemRow]:
    by_student = {g.student: g for g in grades}
    return [
        _ProblemRow(
            p.student,
            _display_name(by_student.get(p.student), p.student),
            p.status,
            p.origin,
            p.reason,
            _log_link(p, folder),
        )
        for p in _all_problems(grades, problems)
    ]


def _flagged_rows(grades: list[StudentGrade]) -> list[_FlaggedRow]:
    rows = []
    for g in grades:
        kinds = _flag_kinds(g)
        if not kinds and not (g.flags and g.status == GRADED):
            continue
        kinds = kinds or ["note"]
        rows.append(
            _FlaggedRow(
                g.student,
                _display_name(g, g.student),
                tuple(kinds),
                g.origin,
                tuple(_flag_details(g, kinds)),
            )
        )
    return rows


def _question_rows(numbers: dict[str, Any], facts: GradingFacts) -> list[_QuestionRow]:
    return [
        _QuestionRow(
            name,
            q["manual"],
            _points(q["points"]),
            _count(q["n"]),
            _points(q["mean"]),
            _share(q["full_share"]),
            _share(q["zero_share"]),
            tuple(facts.labels(name)),
        )
        for name, q in numbers["questions"].items()
    ]


# --------------------------------------------------------------------------- page


def render_report(
    grades: list[StudentGrade],
    questions: dict[str, tuple[float, bool]],
    problems: list[Problem],
    folder: Path,
    *,
    title: str,
    facts: GradingFacts | None = None,
) -> str:
    """The page's HTML; ``folder`` is where the page goes (log links are checked against it)."""
    facts = facts or GradingFacts()
    numbers = summary_numbers(grades, questions)
    stats = {
        key: _count(numbers[key]) for key in ("students", "submitted", "late", "penalised")
    } | {key: _points(numbers[key]) for key in ("points_possible", "mean", "median", "min", "max")}
    rows = _question_rows(numbers, facts)
    by_name = {row.name: row for row in rows}
    return render(
        "report/report.html.j2",
        title=title,
        notes=facts.notes,
        stats=stats,
        penalised=numbers["penalised"],
        histogram=_histogram(grades, numbers) if grades else None,
        questions=rows,
        hardest=[by_name[name] for name in numbers["hardest"]],
        full_marks_chart=_full_marks_chart(numbers),
        problems=_problem_rows(grades, problems, folder),
        flagged=_flagged_rows(grades),
    )


def write_report(
    grades: list[StudentGrade],
    questions: dict[str, tuple[float, bool]],
    problems: list[Problem],
    out: Path,
    *,
    title: str,
    facts: GradingFacts | None = None,
) -> None:
    """Write the class report to ``out`` (an .html file), replacing any earlier one whole."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    page = render_report(grades, questions, problems, out.parent, title=title, facts=facts)
    atomic_write(out, page)
