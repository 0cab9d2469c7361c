"""``python -m grading``: a thin command line over the package's plain Python functions."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .assignments import discover
from .errors import GradingError, UsageError
from .lms.feedback import FORMATS as FEEDBACK_FORMATS
from .lms.formats import FORMATS
from .sandbox import ENGINE_CHOICES, MODE_CHOICES, Limits
from .sandbox.image import DEBIAN_BASE, REGISTRY_BASE
from .sandbox.service import KEEP_WARM_SECONDS
from .warm_cli import ensure_running


def _assignments(args: argparse.Namespace):
    found = discover(Path(args.master), Path(args.dist))
    if args.names:
        unknown = sorted(set(args.names) - {a.name for a in found})
        if unknown:
            raise SystemExit(f"unknown assignment(s): {', '.join(unknown)} (in {args.master})")
        found = [a for a in found if a.name in args.names]
    return found


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    for assignment in _assignments(args):
        zip_path = build(assignment, run_tests=not args.no_run_tests, quiet=not args.verbose)
        print(f"built {assignment.dist_dir}: student/, autograder/ and {zip_path.name}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo, summary

    for assignment in _assignments(args):
        print(summary(run_demo(assignment, Path(args.out) / assignment.name, engine=args.engine)))
    return 0


def cmd_image(args: argparse.Namespace) -> int:
    from .api import build_image

    print(build_image(args.engine, args.base, rebuild=args.rebuild))
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .api import grade

    paths = [*args.paths, *args.more_paths]
    if not paths:
        raise GradingError("no submissions: give notebooks, folders or zips (or -p PATH)")

    # The limits set on the command line; the others come from the assignment, then Limits.
    flags = {"timeout": args.timeout, "cell_timeout": args.cell_timeout,
             "memory_mb": args.memory, "cpus": args.cpus, "pids": args.pids}  # fmt: skip
    explicit = {name: value for name, value in flags.items() if value is not None}
    bar = tqdm(unit="submission", disable=None, leave=True)

    def progress(done: int, total: int, message: str) -> None:
        bar.total = total
        bar.set_postfix_str(message[:40])
        bar.update(done - bar.n)

    try:
        summary = grade(
            [Path(p) for p in paths],
            Path(args.autograder),
            Path(args.out),
            engine=args.engine,
            mode=args.mode,
            workers=args.workers,
            limits=explicit,
            roster=Path(args.roster) if args.roster else None,
            base=args.base,
            progress=progress,
            keep_warm=args.keep_warm,
            announce=tqdm.write,
        )
    finally:
        bar.close()
    if summary.mode == "warm":
        ensure_running(args.keep_warm)  # the next command skips this one's start-up
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(summary.by_status.items()))
    print(
        f"{summary.engine}: graded {summary.graded} ({statuses or 'none'}), "
        f"{summary.skipped} already graded, {summary.rejected} rejected -> "
        f"{summary.out_dir / 'final_grades.csv'}"
    )
    if summary.stopped:
        print(
            f"{summary.stopped} submission{'s' if summary.stopped != 1 else ''} had cells stopped"
            " by a limit: see the report (python -m grading report) and the feedback files"
        )
    return 0


def cmd_service(args: argparse.Namespace) -> int:
    from . import warm_cli
    from .sandbox.service import running, stop_all

    if args.action == "stop":
        print(
            f"stopped {stop_all()} grading service(s), {warm_cli.stop_all()} warm command line(s)"
        )
        return 0
    services = running()
    for address, hello in services:
        state = hello.get("error") or "starting"
        what = f"{hello['name']} ({hello['isolation']})" if "name" in hello else state
        print(f"{address.name}: {what}, code {hello['version']}")
    if not services:
        print("no grading service is running")
    for address in warm_cli.running():
        print(f"{address.name}: the warm command line")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    import tempfile

    from .audit import report, run_audit

    failed = False
    for assignment in _assignments(args):
        with tempfile.TemporaryDirectory(prefix="audit-") as tmp:
            out = Path(args.out) / assignment.name if args.out else Path(tmp)
            verdicts, gaps = run_audit(
                assignment, out, engine=args.engine, mode=args.mode, workers=args.workers
            )
            print(f"== {assignment.name} ==\n{report(verdicts, gaps)}")
            good = sum(v.ok for v in verdicts)
            # The plain closing line test runners print: N passed, N failed.
            print(f"audit: {good} passed, {len(verdicts) - good + len(gaps)} failed")
        failed |= bool(gaps) or not all(v.ok for v in verdicts)
    return 1 if failed else 0


def cmd_benchmark(args: argparse.Namespace) -> int:
    if args.suite == "otter":
        from .benchmark_otter import parse_case, run_otter_suite

        cases = [parse_case(text) for text in args.case]
        masters = [Path(m) for m in args.from_master]
        if not cases and not masters:
            raise UsageError("--suite otter needs --case LABEL=ZIP:FOLDER or --from-master DIR")
        run_otter_suite(cases, masters, size=args.class_size, runs=args.runs,
                        otter_notebooks=args.otter_notebooks or 6, engine=args.engine,
                        write=Path(args.write) if args.write else None)  # fmt: skip
        return 0
    for assignment in _assignments(args):
        if args.suite == "classes":
            from .benchmark_classes import run_classes

            write = Path(args.write) if args.write else None
            run_classes(assignment, tuple(args.sizes), engine=args.engine, write=write,
                        runs=args.runs, otter_notebooks=args.otter_notebooks)  # fmt: skip
        else:
            from .benchmark import run_benchmark

            run_benchmark(assignment, args.submissions, args.workers, otter_every=args.otter_every)
    return 0


def _assignment(args: argparse.Namespace):
    found = discover(Path(args.master), Path(args.dist))
    if args.assignment:
        found = [a for a in found if a.name == args.assignment]
        if not found:
            raise UsageError(f"no assignment {args.assignment!r} under {args.master}")
    if len(found) != 1:
        raise UsageError(f"several assignments under {args.master}: name one with --assignment")
    return found[0]


def _deadline(text: str):
    from datetime import datetime

    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--deadline {text!r}: not an ISO date and time") from None


def _policy(args: argparse.Namespace):

    from .lms.late import LatePolicy, parse_duration, parse_fraction

    if not args.deadline:
        return None
    return LatePolicy(
        deadline=_deadline(args.deadline),
        penalty=parse_fraction(args.penalty),
        unit=args.per,
        grace=parse_duration(args.grace),
        cap=parse_fraction(args.cap),
    )


def _roster(args: argparse.Namespace) -> Path | None:
    return Path(args.roster) if args.roster else None


def cmd_export(args: argparse.Namespace) -> int:
    from .api import export_grades

    report = export_grades(
        Path(args.gradebook), _assignment(args), args.format, Path(args.out),
        roster=_roster(args), policy=_policy(args), pick=args.pick, column=args.column,
        missing=args.missing,
    )  # fmt: skip
    for line in report.lines():
        print(line, file=sys.stderr)
    print(f"wrote {args.out} ({args.format})")
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from .api import deliver_feedback

    done = deliver_feedback(
        Path(args.gradebook), _assignment(args), args.format, Path(args.out),
        roster=_roster(args), policy=_policy(args), pick=args.pick,
    )  # fmt: skip
    for line in done.unplaced:
        print(f"left out: {line}", file=sys.stderr)
    for line in done.notes:
        print(line)
    for path in done.written[:5]:
        print(f"wrote {path}")
    if len(done.written) > 5:
        print(f"wrote {len(done.written) - 5} more file(s) in {args.out}")
    return 0


def cmd_manual(args: argparse.Namespace) -> int:
    from .api import export_manual, import_manual
    from .manual import render_changes

    if args.action == "export":
        template, packets = export_manual(
            Path(args.gradebook), _assignment(args), Path(args.out), roster=_roster(args)
        )
        print(f"wrote {template} and {packets} packets in {Path(args.out) / 'packets'}")
        return 0
    if not args.file:
        raise UsageError("manual import needs the filled-in template: manual import FILE")
    changes = import_manual(
        Path(args.gradebook), _assignment(args), Path(args.file), roster=_roster(args)
    )
    print(render_changes(changes) or "no score changed")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .api import write_class_report

    write_class_report(
        Path(args.gradebook), _assignment(args), Path(args.out),
        roster=_roster(args), policy=_policy(args),
    )  # fmt: skip
    print(f"wrote {args.out}")
    return 0


def cmd_k8s_plan(args: argparse.Namespace) -> int:
    from .k8s import write_plan
    from .k8s.plan import ClusterOptions

    options = ClusterOptions(
        image=args.image, shards=args.shards, parallelism=args.parallelism, name=args.name,
        namespace=args.namespace, pvc=args.pvc, storage=args.storage,
        storage_class=args.storage_class, retries=args.retries, deadline=args.deadline,
    )  # fmt: skip
    limits = Limits(
        timeout=args.timeout, cell_timeout=args.cell_timeout, memory_mb=args.memory, cpus=args.cpus
    )
    plan = write_plan(
        [Path(p) for p in args.paths], Path(args.autograder), Path(args.out), options,
        limits=limits, roster=_roster(args),
    )  # fmt: skip
    sizes = ", ".join(map(str, plan.shard_sizes))
    print(
        f"wrote {plan.out_dir}/: job {plan.job}, {len(plan.shard_sizes)} shards ({sizes}"
        f" notebooks), {plan.submissions} submissions, {plan.rejected} rejected"
    )
    ns = f" -n {plan.namespace}" if plan.namespace else ""
    print(
        "next (see README, Grading on a cluster):\n"
        f"  kubectl apply -k {plan.out_dir}\n"
        f"  kubectl{ns} wait --for=condition=Ready pod/{plan.data_pod}\n"
        f"  tar -C {plan.out_dir}/data -cf - . | kubectl{ns} exec -i {plan.data_pod} --"
        " tar -C /data --no-same-owner -xf -\n"
        f'  kubectl{ns} patch job {plan.job} --type=merge -p \'{{"spec":{{"suspend":false}}}}\'\n'
        f"  kubectl{ns} wait --for=condition=Complete job/{plan.job} --timeout=-1s\n"
        f"  mkdir results && kubectl{ns} exec {plan.data_pod} -- tar -C /data -cf - . |"
        " tar -C results -xf -\n"
        "  python -m grading k8s collect results --out graded/"
    )
    return 0


def cmd_k8s_collect(args: argparse.Namespace) -> int:
    from .k8s import collect_results

    summary = collect_results(
        Path(args.results), Path(args.out), plan=Path(args.plan) if args.plan else None
    )
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(summary.by_status.items()))
    print(
        f"{summary.job}: recorded {summary.recorded} ({statuses or 'none'}), {summary.skipped}"
        f" already collected, {summary.rejected} rejected -> {summary.out_dir / 'final_grades.csv'}"
    )
    for line in summary.problems():
        print(line, file=sys.stderr)
    return 0 if summary.complete else 1


def cmd_mark(args: argparse.Namespace) -> int:
    from .api import mark

    done = mark(
        Path(args.out), _assignment(args), port=args.port,
        rubric_file=Path(args.rubrics) if args.rubrics else None,
        write_feedback=args.write_feedback, write_rubrics=args.write_rubrics,
        policy=_policy(args), announce=lambda line: print(line, flush=True),
    )  # fmt: skip
    for line in done:
        print(line)
    return 0


def late_options(p: argparse.ArgumentParser) -> None:
    """The late policy's flags (read back by ``_policy``)."""
    late = p.add_argument_group("late policy (applied when --deadline is given)")
    late.add_argument("--deadline", help="ISO date and time, e.g. 2026-03-01T23:59:00+01:00")
    late.add_argument("--grace", default="0s", help="on time within this, e.g. 15m")
    late.add_argument("--penalty", default="10%", help="per started day or hour, e.g. 10%%")
    late.add_argument("--per", choices=("day", "hour"), default="day")
    late.add_argument("--cap", default="100%", help="the largest total penalty, e.g. 50%%")


def mark_parser(sub) -> None:
    """``mark``: hand grading in the browser (docs/hand-grading.md)."""
    p = sub.add_parser(
        "mark",
        help="hand grading in the browser: rubrics, by question, keyboard-driven",
        description="Serve a local web app on 127.0.0.1 for grading the hand-graded questions"
        " of a `grade` output folder; prints the URL with its access token.",
    )
    p.add_argument("--out", required=True, help="the `grade` output folder (DIR/gradebook.sqlite)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--rubrics", help="rubric file (default: master/<name>/rubrics.yaml)")
    p.add_argument("--write-feedback", action="store_true",
                   help="rewrite DIR/feedback/*.txt and *.html with the hand-graded part (and"
                   " the late policy's penalty, given --deadline), then exit")  # fmt: skip
    p.add_argument("--write-rubrics", action="store_true",
                   help="write the gradebook's rubrics to the rubric file, then exit")  # fmt: skip
    p.add_argument("--assignment", help="assignment name (default: the only one)")
    p.add_argument("--master", default="master", help=argparse.SUPPRESS)
    p.add_argument("--dist", default="dist", help=argparse.SUPPRESS)
    late_options(p)
    p.set_defaults(handler=cmd_mark)


def cmd_similarity(args: argparse.Namespace) -> int:
    from .similarity import Settings, write_similarity_report

    settings = Settings(
        max_share=args.max_share,
        min_similarity=args.min_similarity,
        outlier_spreads=args.outlier_spreads,
    )
    summary = write_similarity_report(
        Path(args.out), _assignment(args), settings=settings, workers=args.workers
    )
    for problem in summary.problems:
        print(problem, file=sys.stderr)
    print(
        f"wrote {summary.html} and {summary.csv}: {summary.students} students,"
        f" {summary.flagged} pairs flagged, {summary.groups} groups"
        " (leads for a person to review, not verdicts)"
    )
    return 0


def similarity_parser(sub) -> None:
    """``similarity --out DIR``: which answers in a graded class look copied, offline."""
    from .similarity import Settings

    defaults, meaning = Settings(), Settings.describe()
    text = "compare every student's answers in a grade folder: similarity.html and .csv"
    p = sub.add_parser("similarity", help=text, description=text)
    p.add_argument("--out", required=True, help="a folder `grade` wrote; the report goes there")
    p.add_argument("--assignment", help="assignment name (default: the only one)")
    p.add_argument("--master", default="master", help=argparse.SUPPRESS)
    p.add_argument("--dist", default="dist", help=argparse.SUPPRESS)
    p.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    for name in ("max_share", "min_similarity", "outlier_spreads"):
        flag = "--" + name.replace("_", "-")
        p.add_argument(flag, type=float, default=getattr(defaults, name), help=meaning[name])
    p.set_defaults(handler=cmd_similarity)


def k8s_parser(sub) -> None:
    """``k8s plan`` and ``k8s collect``: grade on a Kubernetes cluster with the same image."""

    k8s = sub.add_parser("k8s", help="grade on a Kubernetes cluster: plan an Indexed Job, collect")
    actions = k8s.add_subparsers(dest="k8s_command", required=True)
    plan = actions.add_parser("plan", help="write the manifests of an Indexed Job, one pod a shard")
    plan.add_argument("paths", nargs="+", help="notebooks, folders, Otter or LMS zips")
    plan.add_argument("--autograder", required=True, help="the autograder zip")
    plan.add_argument("--image", required=True, help="the grading image, pushed to a registry")
    plan.add_argument("--shards", type=int, required=True, help="pods (Job completions)")
    plan.add_argument("--parallelism", type=int, help="pods at once (default: --shards)")
    plan.add_argument("--out", default="k8s-plan", help="the plan folder to create")
    plan.add_argument("--name", help="the Job's name (default: grade-<assignment>-<zip hash>)")
    plan.add_argument("--namespace", help="the namespace (default: kubectl's current one)")
    plan.add_argument("--pvc", help="an existing ReadWriteMany claim (default: pvc.yaml makes one)")
    plan.add_argument("--storage", default="1Gi", help="size of the claim pvc.yaml makes")
    plan.add_argument("--storage-class", help="storage class of the claim pvc.yaml makes")
    plan.add_argument("--retries", type=int, default=1, help="retries per shard")
    plan.add_argument("--deadline", type=int, help="seconds for the whole Job (default: computed)")
    plan.add_argument("--roster", help="CSV mapping students to LMS ids, names and emails")
    defaults = Limits()
    plan.add_argument("--timeout", type=float, default=defaults.timeout, help="s per notebook")
    plan.add_argument("--cell-timeout", type=float, default=defaults.cell_timeout, help="s a cell")
    plan.add_argument("--memory", type=int, default=defaults.memory_mb, help="MB per notebook")
    plan.add_argument("--cpus", type=float, default=defaults.cpus, help="CPUs per pod")
    plan.set_defaults(handler=cmd_k8s_plan)
    collect = actions.add_parser("collect", help="merge the shards' results into a gradebook")
    collect.add_argument("results", help="the data volume copied back (plan.json, results/)")
    collect.add_argument("--out", required=True, help="output folder (gradebook, CSV, feedback)")
    collect.add_argument("--plan", help="plan.json, if not in RESULTS")
    collect.set_defaults(handler=cmd_k8s_collect)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m grading", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    def add(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("names", nargs="*", help="assignment names (default: all under --master)")
        p.add_argument("--master", default="master", help="folder of master notebooks")
        p.add_argument("--dist", default="dist", help="folder of built distributions")
        p.set_defaults(handler=handler)
        return p

    build = add("build", cmd_build, "compile master notebooks into dist/ with Otter Assign")
    build.add_argument("--no-run-tests", action="store_true", help="skip checking the solutions")
    build.add_argument("-v", "--verbose", action="store_true", help="show Otter's own output")
    demo = add("demo", cmd_demo, "grade the samples and write every file an instructor gets")
    demo.add_argument("--out", default="out/demo", help="folder for the demo's files")
    demo.add_argument("--engine", choices=ENGINE_CHOICES, default="auto")

    def engine_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--engine", choices=ENGINE_CHOICES, default="auto")
        p.add_argument(
            "--base",
            default=DEBIAN_BASE,
            help=f"base image (default: built from Debian packages; {REGISTRY_BASE} where a"
            " registry is reachable)",
        )

    def mode_option(p: argparse.ArgumentParser, default: str | None = "warm") -> None:
        chosen = (
            "default: warm, or otter for an assignment that needs Otter itself (plugins,"
            " grade_from_log)"
            if default is None
            else f"default: {default}"
        )
        p.add_argument(
            "--mode",
            choices=MODE_CHOICES,
            default=default,
            help="warm: long-lived worker containers; fresh: a worker container per"
            " submission; otter: Otter's own `otter run` per container (scores in the student's"
            f" kernel: the reference, not tamper-proof); {chosen}",
        )

    audit = add("audit", cmd_audit, "grade the answer corpus: do the tests tell right from wrong?")
    audit.add_argument("--engine", choices=ENGINE_CHOICES, default="auto")
    mode_option(audit)
    audit.add_argument("--workers", type=int, default=None)
    audit.add_argument("--out", help="keep the graded corpus here (reruns skip what is graded)")

    bench = add("benchmark", cmd_benchmark, "time otter run and every engine on N submissions")
    bench.add_argument(
        "--suite",
        choices=("classes", "mixed", "otter"),
        default="classes",
        help="classes: complete notebooks through `grade`, cold and warm, 30 and 200 (default);"
        " mixed: N varied submissions through every engine; otter: other assignments (--case,"
        " --from-master) as classes through `grade` against sequential otter run",
    )
    bench.add_argument(
        "--case", action="append", default=[], metavar="LABEL=ZIP:FOLDER",
        help="otter: an autograder zip and a folder of notebooks (repeatable)",
    )  # fmt: skip
    bench.add_argument(
        "--from-master", action="append", default=[], metavar="FOLDER",
        help="otter: an Otter Assign master folder, built here (repeatable)",
    )  # fmt: skip
    bench.add_argument("--class-size", type=int, default=30, help="otter: notebooks per class")
    bench.add_argument("--sizes", type=int, nargs="+", default=[30, 200], help="classes: sizes")
    bench.add_argument("--engine", choices=ENGINE_CHOICES, default="auto", help="classes, otter")
    bench.add_argument("--write", help="classes, otter: write the table into this Markdown file")
    bench.add_argument(
        "--runs", type=int, default=1, help="classes, otter: grade each row this many times"
    )
    bench.add_argument(
        "--otter-notebooks", type=int,
        help="classes, otter: time `otter run` on this many (default: all; otter: 6)",
    )  # fmt: skip
    bench.add_argument("-n", "--submissions", type=int, default=200)
    bench.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    bench.add_argument(
        "--otter-every",
        type=int,
        default=1,
        help="time sequential otter run on every k-th submission only (~5 s each)",
    )

    image = sub.add_parser("image", help="build the reusable grading image")
    engine_options(image)
    image.add_argument("--rebuild", action="store_true")
    image.set_defaults(handler=cmd_image)

    grade = sub.add_parser("grade", help="grade submissions in isolated sandboxes")
    grade.add_argument("paths", nargs="*", help="notebooks, scripts, folders, Otter or LMS zips")
    # otter grade's short flags, so an Otter user's habit works: -a ZIP -p PATHS -o OUT
    grade.add_argument("-p", "--path", dest="more_paths", action="extend", nargs="+",
                       default=[], help="more submissions (as otter grade's -p)")  # fmt: skip
    grade.add_argument("-a", "--autograder", required=True, help="the autograder zip")
    grade.add_argument("-o", "--out", required=True, help="output folder (gradebook, CSV, logs)")
    grade.add_argument("--roster", help="CSV mapping students to LMS ids, names and emails")
    grade.add_argument("--workers", type=int, default=None, help="parallel sandboxes (cores)")
    # Each limit's default is written once, in Limits; an assignment's otter_config.json may set
    # its own ("grading": {...}), and a flag given here overrides both.
    defaults = Limits()
    by_zip = ", unless the assignment sets it"
    grade.add_argument(
        "--timeout",
        type=float,
        help=f"seconds per submission (default {defaults.timeout:g}{by_zip})",
    )
    grade.add_argument(
        "--cell-timeout",
        type=float,
        help="seconds per cell; a cell past it is interrupted and costs only its own answer"
        f" (default {defaults.cell_timeout:g}{by_zip})",
    )
    grade.add_argument(
        "--memory", type=int, help=f"MB per submission (default {defaults.memory_mb}{by_zip})"
    )
    grade.add_argument(
        "--cpus", type=float, help=f"CPUs per submission (default {defaults.cpus:g})"
    )
    grade.add_argument(
        "--pids",
        type=int,
        help=f"processes and threads of the student's code (default {defaults.pids})",
    )
    grade.add_argument(
        "--keep-warm",
        type=float,
        default=KEEP_WARM_SECONDS,
        metavar="SECONDS",
        help="warm mode: grade through your grading service, whose workers stay warm this long"
        " after its last request, so the next grade starts at once (0: workers for this run only)",
    )
    mode_option(grade, default=None)
    engine_options(grade)
    grade.set_defaults(handler=cmd_grade)

    service = sub.add_parser("service", help="your grading service: which runs, or stop them")
    service.add_argument("action", choices=("status", "stop"))
    service.set_defaults(handler=cmd_service)

    def last_mile(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--gradebook", required=True, help="DIR/gradebook.sqlite from `grade`")
        p.add_argument("--roster", help="class list, or the LMS's own gradebook export")
        p.add_argument("--assignment", help="assignment name (default: the only one)")
        p.add_argument("--master", default="master", help=argparse.SUPPRESS)
        p.add_argument("--dist", default="dist", help=argparse.SUPPRESS)
        p.set_defaults(handler=handler)
        return p

    export = last_mile("export", cmd_export, "write grades in an LMS's import format")
    export.add_argument("--format", required=True, choices=tuple(FORMATS))
    export.add_argument("--out", required=True)
    export.add_argument("--column", help="the LMS column to fill (default: found by name)")
    export.add_argument("--pick", choices=("latest", "best"), default="latest",
                        help="which of a student's several submissions counts")  # fmt: skip
    export.add_argument("--missing", choices=("zero", "blank"), default="zero",
                        help="what a roster student without a submission gets")  # fmt: skip
    late_options(export)

    feedback = last_mile("feedback", cmd_feedback, "students' feedback in what an LMS imports")
    feedback.add_argument("--format", required=True, choices=tuple(FEEDBACK_FORMATS))
    feedback.add_argument("--out", required=True, help="folder to write the LMS's files to")
    feedback.add_argument("--pick", choices=("latest", "best"), default="latest",
                          help="which of a student's several submissions counts")  # fmt: skip
    late_options(feedback)

    manual = last_mile("manual", cmd_manual, "hand grading: export a template, import scores")
    manual.add_argument("action", choices=("export", "import"))
    manual.add_argument("file", nargs="?", help="import: the filled-in template")
    manual.add_argument("--out", default="manual", help="export: folder for template and packets")

    report = last_mile("report", cmd_report, "one self-contained HTML page for the instructor")
    report.add_argument("--out", required=True)
    late_options(report)
    k8s_parser(sub)
    mark_parser(sub)
    similarity_parser(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except GradingError as error:  # anything else is a bug: its traceback is shown
        print(f"error: {error}", file=sys.stderr)
        return 2
