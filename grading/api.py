"""The plain Python API under ``python -m grading``: one function per command.

``grade`` runs the pipeline's stages in order: ingest -> sandbox -> collect results ->
gradebook -> outputs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .assignments import Assignment
from .autograder import AutograderInfo, read_autograder
from .errors import MissingInput, UsageError
from .fallback import regrade_unfaithful
from .files import atomic_copy, atomic_write, safe_name
from .gradebook import Gradebook
from .ingest import Roster, apply_roster, find_submissions, load_roster
from .lms.grades import MatchReport, StudentGrade, compute_grades, recorded_autograder
from .lms.late import LatePolicy
from .model import GRADED, SCORED, GradeResult, Submission
from .outputs import feedback_text, final_grades_csv
from .results import executed_outputs, read_result
from .sandbox import Engine, Limits, detect_engine
from .sandbox.environment import assignment_environment
from .sandbox.image import DEBIAN_BASE, ensure_image
from .sandbox.limits import changed_from_defaults, limits_from

if TYPE_CHECKING:
    from .report import GradingFacts


@dataclass
class RunSummary:
    """What a ``grade`` run did, for the command line and for tests."""

    out_dir: Path
    engine: str
    mode: str | None = "warm"  # None: an Engine given by the caller
    graded: int = 0  # graded in this run
    skipped: int = 0  # already in the gradebook for this autograder
    rejected: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    stopped: int = 0  # graded in this run with cells stopped by one of this tool's limits
    graded_sha256: set[str] = field(default_factory=set)  # the submissions graded in this run


def build_image(engine_name: str = "auto", base: str = DEBIAN_BASE, rebuild: bool = False) -> str:
    engine = detect_engine(engine_name)
    if engine.image_engine is None:
        raise UsageError("the local engine uses no image; choose --engine podman or docker")
    return ensure_image(engine.image_engine, base, rebuild=rebuild)


def grade(
    paths: list[Path],
    autograder_zip: Path,
    out_dir: Path,
    *,
    engine: str | Engine = "auto",
    mode: str | None = None,
    workers: int | None = None,
    limits: Limits | Mapping[str, float] | None = None,
    roster: Path | None = None,
    base: str = DEBIAN_BASE,
    progress: Callable[[int, int, str], None] | None = None,
    keep_warm: float = 0,
    announce: Callable[[str], None] | None = None,
    assignment: Assignment | None = None,
) -> RunSummary:
    """Grade every submission under ``paths`` into ``out_dir``; resumable and kill-safe.

    ``mode`` applies when ``engine`` is a name (an ``Engine`` is used as given): see
    ``grading.sandbox`` for warm, fresh, otter. None grades with the warm engine unless the
    assignment needs Otter itself (plugins, ``grade_from_log``): then ``otter`` is chosen, and
    any other mode asked for is overruled.
    ``limits`` may be a whole ``Limits`` (used as is) or the limits the user set explicitly
    (a mapping of ``Limits`` fields, say command-line flags): the others come from the
    assignment's ``otter_config.json`` (its ``grading`` key), then the defaults.
    ``keep_warm`` > 0 (warm mode) grades through this user's grading service, started if need
    be, whose workers stay warm that many seconds after its last request. ``announce`` gets
    the lines a person should read before grading starts (the mode chosen and why, the limits
    in force when they are not the defaults). ``assignment`` (the master the zip was built
    from, when known) puts its hand-graded questions and answers in the feedback files.
    """
    say = announce or (lambda line: None)
    info = read_autograder(autograder_zip)
    for path in paths:
        if not path.exists():
            raise MissingInput(f"{path}: no such file or directory")
    mode, why = choose_mode(info, mode)
    if why:
        say(why)
    limits, which = limits_in_force(info, limits)
    if which:
        say(which)
    if isinstance(engine, str) and mode == "warm" and keep_warm > 0:
        from .sandbox.service import connect

        sandbox = connect(engine, base, keep_warm, ahead=(autograder_zip, limits))
    else:
        sandbox = detect_engine(engine, mode) if isinstance(engine, str) else engine
    image = ensure_image(sandbox.image_engine, base) if sandbox.image_engine else None
    image = assignment_environment(autograder_zip, sandbox, image)
    try:
        summary = _grade_all(
            paths, info, out_dir, sandbox, image,
            workers=workers, limits=limits, roster=roster, progress=progress,
            mode=mode if isinstance(engine, str) else None, keep=info.keep_outputs,
        )  # fmt: skip
    finally:
        sandbox.close()  # the warm engine's workers
    from .feedback import refresh_feedback

    refresh_feedback(out_dir, assignment, only=summary.graded_sha256)
    return summary


def choose_mode(info: AutograderInfo, asked: str | None) -> tuple[str, str]:
    """The mode to grade ``info``'s assignment with, and the line saying why when the
    assignment chose it: Otter plugins and ``grade_from_log`` need ``otter run`` itself."""
    if not info.otter_run_because:
        return asked or "warm", ""
    why = f"{info.path.name}: graded by otter run in the sandbox: {info.otter_run_because}"
    if asked not in (None, "otter"):
        why += f" (not --mode {asked}: the warm engine cannot honour them)"
    return "otter", why


def limits_in_force(
    info: AutograderInfo, given: Limits | Mapping[str, float] | None
) -> tuple[Limits, str]:
    """The limits to grade with, and a line naming those that are not the defaults (each
    followed by the zip's name where the assignment set it); see ``grade`` for ``given``."""
    if isinstance(given, Limits):
        limits, explicit = given, {}
    else:
        limits, explicit = limits_from(info.limits, given or {}), given or {}
    shown = [
        f"{text} ({info.path.name})" if key in info.limits and key not in explicit else text
        for key, text in changed_from_defaults(limits).items()
    ]
    return limits, f"limits in force: {', '.join(shown)}" if shown else ""


def _grade_all(
    paths: list[Path],
    info: AutograderInfo,
    out_dir: Path,
    sandbox: Engine,
    image: str | None,
    *,
    workers: int | None,
    limits: Limits,
    roster: Path | None,
    progress: Callable[[int, int, str], None] | None,
    mode: str | None,
    keep: list[str] | None = None,
) -> RunSummary:
    """The stages after the sandbox: ingest, grade in parallel, record, write the outputs.
    ``keep``: the cells whose outputs the grading run keeps (``AutograderInfo.keep_outputs``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    owner = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    sandbox.reap(owner)  # containers of an earlier run into this folder that was killed
    found = find_submissions(paths, out_dir / "work")
    submissions = found.submissions
    if roster is not None:
        submissions = apply_roster(submissions, load_roster(roster))

    summary = RunSummary(out_dir=out_dir, engine=sandbox.name, mode=mode)
    with Gradebook(out_dir / "gradebook.sqlite") as book:
        run_id = book.start_run(
            info.sha256, str(info.path), sandbox.name, image,
            timeout=limits.timeout, mode=mode, limits=asdict(limits),
            otter_run_because=info.otter_run_because, autograder=info.record(),
        )  # fmt: skip
        for rejected in found.rejected:
            book.reject(rejected, info.sha256, run_id)
        summary.rejected = len(found.rejected)

        todo: dict[str, list[Submission]] = {}
        for submission in submissions:
            if book.has_result(submission.sha256, info.sha256):
                book.add_submission(submission, run_id)
                summary.skipped += 1
            else:
                todo.setdefault(submission.sha256, []).append(submission)

        def grade_one(submission: Submission) -> GradeResult:
            return run_in_sandbox(
                sandbox, image, info, submission, out_dir, limits, owner, keep=keep
            )

        total, done = len(todo), 0
        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            pending: dict[Future, list[Submission]] = {
                pool.submit(grade_one, group[0]): group for group in todo.values()
            }
            if pending:
                threading.Thread(target=_prepare_feedback, daemon=True).start()
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        group = pending.pop(future)
                        result = future.result()
                        record_result(book, group, result, info, run_id, out_dir)
                        summary.graded += len(group)
                        summary.graded_sha256.add(group[0].sha256)
                        summary.by_status[result.status] = summary.by_status.get(
                            result.status, 0
                        ) + len(group)
                        summary.stopped += len(group) if result.stopped else 0
                        done += 1
                        if progress:
                            progress(done, total, f"{group[0].student}: {result.status}")
            finally:
                for future in pending:
                    future.cancel()
        book.finish_run(run_id)
        final_grades_csv(book, info, out_dir / "final_grades.csv")
    return summary


def _prepare_feedback() -> None:
    """Import and compile what the feedback files need (~0.09 s) while the sandbox grades,
    not after it: a one-notebook ``grade`` waits for every step after its notebook's answer."""
    from .feedback import prepare

    prepare()


def run_in_sandbox(
    sandbox: Engine,
    image: str | None,
    info: AutograderInfo,
    submission: Submission,
    out_dir: Path,
    limits: Limits,
    owner: str = "",
    keep: list[str] | None = None,
) -> GradeResult:
    """Grade one submission and collect its result; the sandbox's scratch is removed after.
    The outputs of the hand-graded cells come from the warm worker's run, or from the notebook
    ``otter run`` executed (the same cells, checked and bounded the same way)."""
    scratch = out_dir / "work" / "runs" / f"{submission.sha256[:12]}-{uuid.uuid4().hex[:6]}"
    files = {f.name: f.path for f in submission.files}
    try:
        run = sandbox.run_submission(
            image, info.path, submission.path, scratch, limits, owner, files, keep_outputs=keep
        )
        result = read_result(
            run,
            scratch,
            engine=sandbox.name,
            isolation=sandbox.isolation,
            timeout=limits.timeout,
        )
        result = regrade_unfaithful(
            result, sandbox, image, info.path, submission.path, scratch, limits, owner, files
        )
        executed = scratch / "executed.ipynb"
        if not result.outputs and executed.is_file():
            result = replace(result, outputs=executed_outputs(executed, keep, submission.path))
        keep_notebooks(out_dir, submission, executed)
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def keep_notebooks(out_dir: Path, submission: Submission, executed: Path) -> None:
    """Keep the submitted and the executed notebook by hash, for hand grading (a script as
    the notebook of one cell that Otter grades)."""
    target = out_dir / "submissions" / f"{submission.sha256}.ipynb"
    if submission.is_script:
        from .notebooks import script_notebook

        atomic_write(target, script_notebook(submission.path.read_text(encoding="utf-8")))
    elif submission.path.is_file() and not submission.path.is_symlink():
        atomic_copy(submission.path, target)
    if executed.is_file() and not executed.is_symlink():
        atomic_copy(executed, out_dir / "executed" / f"{submission.sha256}.ipynb")


def record_result(
    book: Gradebook,
    group: list[Submission],
    result: GradeResult,
    info: AutograderInfo,
    run_id: int,
    out_dir: Path,
) -> None:
    """Write the log and feedback files, then the gradebook rows (the commit point).

    The text file here has the autograded part; ``refresh_feedback`` rewrites it (and writes
    the HTML page) from the gradebook once the run is over.
    """
    for submission in group:
        stem = f"{safe_name(submission.student)}-{submission.sha256[:8]}"
        log_path = out_dir / "logs" / f"{stem}.log"
        feedback_path = out_dir / "feedback" / f"{stem}.txt"
        atomic_write(log_path, result.log)
        earned = info.total(result.score) if result.status in SCORED else 0.0
        first = f"Grade so far: {earned:g} (the autograded part only)"
        atomic_write(feedback_path, f"{first}\n{feedback_text(submission, result, info)}")
        book.record(
            submission,
            result,
            info.sha256,
            run_id,
            log_path=str(log_path.relative_to(out_dir)),
            feedback_path=str(feedback_path.relative_to(out_dir)),
        )


# -- the last mile: final grades, LMS exports, hand grading, the report ------------------------


def final_grades(
    gradebook: Path,
    assignment: Assignment,
    *,
    roster: Path | Roster | None = None,
    policy: LatePolicy | None = None,
    pick: str = "latest",
    missing: str = "zero",
) -> tuple[list[StudentGrade], MatchReport]:
    """One grade per student from a gradebook file, matched to an optional roster; the
    autograded part totals as Otter's results.json (``points_possible``, ``score_threshold``)."""
    if not gradebook.is_file():
        raise MissingInput(f"{gradebook}: no gradebook (run `python -m grading grade` first)")
    class_list = load_roster(roster) if isinstance(roster, Path) else roster
    with Gradebook(gradebook) as book:
        return compute_grades(
            book,
            assignment.questions(),
            roster=class_list,
            policy=policy,
            pick=pick,
            missing=missing,
            autograder=recorded_autograder(book),
        )


def export_grades(
    gradebook: Path,
    assignment: Assignment,
    fmt: str,
    out: Path,
    *,
    roster: Path | None = None,
    policy: LatePolicy | None = None,
    pick: str = "latest",
    column: str | None = None,
    missing: str = "zero",
) -> MatchReport:
    """Write the grades in an LMS's import format; returns what did not match the roster."""
    from .lms.formats import FORMATS

    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    class_list = load_roster(roster) if roster else None
    grades, report = final_grades(
        gradebook, assignment, roster=class_list, policy=policy, pick=pick, missing=missing
    )
    points = grades[0].points_possible if grades else sum(q.points for q in assignment.questions())
    FORMATS[fmt](
        grades, class_list, assignment=assignment.name, points_possible=points, path=out,
        column=column,
    )  # fmt: skip
    return report


def deliver_feedback(
    gradebook: Path,
    assignment: Assignment,
    fmt: str,
    out: Path,
    *,
    roster: Path | None = None,
    policy: LatePolicy | None = None,
    pick: str = "latest",
):
    """Write each student's feedback in what an LMS imports (``grading/lms/feedback``).

    Everything is checked before anything is written: the format, the roster (and that it is
    the kind the format needs), the gradebook. Then the feedback files are refreshed with the
    hand-graded part and packaged; the returned Delivery names every student left out, and why.
    """
    from .lms.feedback import FORMATS, NEEDS_ROSTER
    from .lms.feedback._common import FeedbackItem

    if fmt not in FORMATS:
        raise UsageError(f"unknown feedback format {fmt!r}; choose from {', '.join(FORMATS)}")
    class_list = load_roster(roster) if roster else None
    if fmt in NEEDS_ROSTER:
        kinds, what = NEEDS_ROSTER[fmt]
        if class_list is None or class_list.kind not in kinds:
            got = f"{roster} is a {class_list.kind} file" if class_list else "no --roster given"
            raise UsageError(f"{fmt} feedback needs {what} as --roster; {got}")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: not a folder (--out is the folder the files are written to)")
    final_grades(gradebook, assignment, roster=class_list, policy=policy, pick=pick)  # checks
    from .feedback import refresh_feedback

    # The files are rewritten with the hand-graded part and this late policy before packaging.
    refresh_feedback(gradebook.parent, assignment, policy=policy)
    grades, _ = final_grades(gradebook, assignment, roster=class_list, policy=policy, pick=pick)
    with Gradebook(gradebook) as book:
        paths = book.feedback_paths(book.latest_autograder())
    items, problems, absent = [], [], 0
    for grade in grades:
        if grade.origin is None:
            absent += 1
            continue
        relative = paths.get(grade.sha256)
        text_file = gradebook.parent / relative if relative else None
        try:
            text = text_file.read_text(encoding="utf-8", errors="replace") if text_file else None
        except OSError:
            text = None
        if text is None:
            problems.append(f"{grade.student} ({grade.origin}): no feedback file; left out")
            continue
        html_file = text_file.with_suffix(".html")
        files = (text_file, html_file) if html_file.is_file() else (text_file,)
        items.append(FeedbackItem(grade, files, text))
    out.mkdir(parents=True, exist_ok=True)
    done = FORMATS[fmt](items, class_list, assignment=assignment.name, out=out)
    delivered = len(items) - len(done.unplaced)
    done.unplaced[:0] = problems
    done.notes.insert(0, f"feedback of {delivered} of {len(items) + len(problems)} students")
    if absent:
        done.notes.append(f"{absent} roster student(s) without a submission: no feedback")
    return done


def export_manual(
    gradebook: Path, assignment: Assignment, out_dir: Path, *, roster: Path | None = None
) -> tuple[Path, int]:
    """The hand-grading template and one HTML packet per student who submitted."""
    from .manual import manual_questions, template_csv, write_packets

    grades, _ = final_grades(gradebook, assignment, roster=roster)
    questions = manual_questions(assignment)
    template = out_dir / f"{assignment.name}-manual-grades.csv"
    atomic_write(template, template_csv(grades, questions))
    packets = write_packets(assignment, grades, gradebook.parent, out_dir / "packets")
    return template, len(packets)


def import_manual(gradebook: Path, assignment: Assignment, scores_csv: Path, *, roster=None):
    """Validate a filled-in template and merge it; returns the scores that changed."""
    from .manual import import_scores, manual_questions

    grades, _ = final_grades(gradebook, assignment, roster=roster)
    known = {key for g in grades if g.origin is not None for key in g.gradebook_keys}
    with Gradebook(gradebook) as book:
        return import_scores(book, scores_csv, manual_questions(assignment), known)


def write_class_report(
    gradebook: Path,
    assignment: Assignment,
    out: Path,
    *,
    roster: Path | None = None,
    policy: LatePolicy | None = None,
) -> None:
    """The instructor's one-page HTML report."""
    from .report import Problem, write_report

    grades, _ = final_grades(gradebook, assignment, roster=roster, policy=policy)
    problems = []
    with Gradebook(gradebook) as book:
        autograder = book.latest_autograder()
        for row in book.rows(autograder):
            if row.status != GRADED:
                log = (
                    os.path.relpath(gradebook.parent / row.log_path, out.parent)
                    if row.log_path
                    else None
                )
                problems.append(Problem(row.student, row.origin, row.status, row.reason, log))
        facts = grading_facts(book, autograder, grades)
    questions = {q.name: (q.points, q.manual) for q in assignment.questions()}
    write_report(
        grades, questions, problems, out, title=f"{assignment.name}: class report", facts=facts
    )


def grading_facts(
    book: Gradebook, autograder_sha256: str, grades: list[StudentGrade]
) -> GradingFacts:
    """How the class was graded, for the report: otter run and why, the limits in force when
    they are not the defaults, Otter's totals rule, and per question the types its test met in
    the chosen submissions."""
    from .report import GradingFacts

    settings = book.run_settings(autograder_sha256)
    notes = []
    if settings.get("otter_run_because"):
        notes.append(f"Graded by otter run in the sandbox: {settings['otter_run_because']}.")
    with contextlib.suppress(TypeError, ValueError):  # a run recorded without its limits
        if changed := changed_from_defaults(limits_from(settings.get("limits") or {})):
            notes.append(f"Limits in force: {', '.join(changed.values())}.")
    info = recorded_autograder(book)
    if info is not None and info.totals_rule:
        notes.append(f"Autograded totals as Otter counts them: {info.totals_rule}.")
    origins = {g.origin for g in grades if g.origin}
    chosen = [row.sha256 for row in book.rows(autograder_sha256) if row.origin in origins]
    found = book.question_objects(autograder_sha256, chosen)
    return GradingFacts(tuple(notes), found.live, found.unfaithful)


def mark(
    out_dir: Path,
    assignment: Assignment,
    *,
    port: int = 0,
    rubric_file: Path | None = None,
    write_feedback: bool = False,
    write_rubrics: bool = False,
    policy: LatePolicy | None = None,
    announce: Callable[[str], None] = print,
) -> list[str]:
    """Hand grading: serve the app until stopped, or only write feedback / rubric files."""
    from .web import serve
    from .web.marking import Marking

    if not (write_feedback or write_rubrics):
        serve(out_dir, assignment, port=port, rubric_file=rubric_file, announce=announce)
        return []
    done = []
    marking = Marking(out_dir, assignment, rubric_file)
    try:
        if write_rubrics:
            done.append(f"wrote {marking.write_rubrics()}")
        if write_feedback:
            count = marking.write_feedback(policy)
            done.append(
                f"wrote the feedback of {count} submission(s) (.txt and .html) in"
                f" {out_dir / 'feedback'}"
            )
    finally:
        marking.close()
    return done
