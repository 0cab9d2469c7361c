"""``python -m worker serve|batch``: the grading worker's entry points inside the sandbox.

serve  JSON lines on stdin/stdout: first ``{"preload": [...]}`` (packages at least half
       this assignment's notebooks imported so far, null for an assignment not seen yet),
       then, once the zygote is forked, ``{"autograder": <zip, base64>}``; answered by
       ``{"imported": true}`` (the grader's own start is done) and ``{"ready": true}`` (the
       zygote's). Then one
       ``{"id", "name", "notebook": <base64>, "files": {name: <base64>}, "keep": [cell id]}``
       per submission (the files the student submitted beside the notebook, and the cells of
       hand-graded questions whose outputs to keep, both optional); each answered by
       ``{"id", "result": {...}}``. Used by the host's warm
       engine; the autograder and the notebooks never touch a file the student user can read.
batch  Grade a list of notebooks from a folder into ``RESULTS/<stem>/grading.json``: a
       Kubernetes pod grading its shard.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import ctypes
import functools
import json
import os
import resource
import signal
import sys
import tempfile
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from . import END_OF_LOG
from .sandboxing import ChildLimits, separate_user
from .zygote import Zygote, importable_packages, preload, single_threaded_libraries

if TYPE_CHECKING:
    from .grader import Settings

# The grading modules (``.grader``: nbformat, Otter once imported for grading) are imported where
# they are used, after the zygote is forked: it holds none of them, and imports its own meanwhile.

PR_SET_DUMPABLE = 4


def grade_one(
    autograder, zygote, settings, notebook: bytes, name: str, files=None, keep=None
) -> dict:
    """The outcome of one notebook (with the files submitted beside it): ``grading.json``.
    ``keep``: ids of the cells whose outputs to keep (None: Otter's manual-question regions)."""
    from .grader import NotebookRun

    try:
        outcome = NotebookRun(autograder, zygote, settings).grade(notebook, name, files, keep)
    except Exception:
        outcome = {"status": "error", "reason": traceback.format_exc(limit=4)}
    grader_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    outcome["student_peak_memory_mb"] = outcome.get("peak_memory_mb", 0.0)
    outcome["grader_peak_memory_mb"] = grader_mb
    # The worker's footprint: both processes (an upper bound: they share the imported pages).
    outcome["peak_memory_mb"] = round(outcome["student_peak_memory_mb"] + grader_mb, 1)
    return outcome


def _settings(args: argparse.Namespace) -> Settings:
    from .grader import Settings

    limits = ChildLimits(
        memory_mb=args.memory_mb, processes=args.processes, priority=args.student_priority
    )
    return Settings(
        cell_timeout=args.cell_timeout,
        timeout=args.timeout,
        uid=args.uid,
        scratch_root=Path(args.scratch),
        limits=limits,
    )


def _private_dir(root: str | None) -> Path:
    path = Path(tempfile.mkdtemp(prefix="grader-", dir=root))
    path.chmod(0o700)
    return path


def _shield_grader(args: argparse.Namespace) -> None:
    """Before anything else: the private root on a host, and a grader that student code of the
    same user could not read (ptrace, /proc/PID/mem) nor interrupt."""
    if args.private_root:
        from .hostroot import enter_private_root

        enter_private_root(args.keep, args.private_root, tmp_mb=512)
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the host stops a worker by closing stdin


def serve(args: argparse.Namespace) -> int:
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything else printed goes to the log, never into the protocol
    _shield_grader(args)
    learned = json.loads(_first_line() or "{}").get("preload")  # None: not graded before
    packages = importable_packages(learned) if isinstance(learned, list) else None
    single_threaded_libraries()
    # Forked before the tests are read (nothing of them in a student's memory), the zygote
    # imports for the students while this process imports for grading: on two CPUs at once
    # while the host lets a starting worker use them (the submission's share comes after).
    zygote = Zygote.start(functools.partial(preload, packages))
    from .grader import Autograder, import_for_grading, warm_up_preparation

    import_for_grading()
    settings = _settings(args)
    first = json.loads(sys.stdin.readline() or "{}")
    autograder = Autograder(
        base64.b64decode(first["autograder"]),
        _private_dir(args.private),
        keep_tests_on_disk=separate_user(settings.uid),
    )
    autograder.preloaded.update(packages or [])
    warm_up_preparation(autograder, settings.scratch_root)
    # Only the zygote, one thread, is still busy: the host may lower the CPU share now, while it
    # finishes (``warm.WarmEngine._start``); no student process runs before "ready".
    _say(protocol, {"imported": True})
    zygote.wait_ready()
    _say(protocol, {"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        notebook = base64.b64decode(request["notebook"])
        files = {str(k): base64.b64decode(v) for k, v in (request.get("files") or {}).items()}
        keep = request.get("keep")
        keep = [str(k) for k in keep] if isinstance(keep, list) else None
        outcome = grade_one(autograder, zygote, settings, notebook, request["name"], files, keep)
        print(f"{END_OF_LOG} {request['id']}", file=sys.stderr, flush=True)
        _say(protocol, {"id": request["id"], "result": outcome})
    zygote.stop()
    return 0


def _say(protocol, message: dict) -> None:
    protocol.write(json.dumps(message) + "\n")
    protocol.flush()


def _first_line(limit: int = 1 << 16) -> str:
    """The first line of stdin, read a byte at a time: ``sys.stdin`` would read ahead into its
    buffer what follows (the tests), and the zygote forked next would keep that in its memory."""
    line = bytearray()
    while len(line) < limit and (byte := os.read(0, 1)) not in (b"", b"\n"):
        line += byte
    return line.decode("utf-8", "replace")


def refuse_readable(paths: list[Path]) -> None:
    """Stop before grading if the student user could read the tests or other submissions.

    In a pod the autograder and the notebooks are mounted files: their modes are the only
    barrier (a ConfigMap with ``defaultMode: 0400``, notebooks 0600 in a 0700 folder).
    """
    for path in paths:
        if path.exists() and path.stat().st_mode & 0o004:
            raise SystemExit(
                f"refusing to grade: {path} is readable by every user, so student code could "
                "read it; mount it with mode 0400 (files) or 0700 (folders)"
            )


def batch(args: argparse.Namespace) -> int:
    names = [n.strip() for n in Path(args.list).read_text().splitlines() if n.strip()]
    refuse_readable(
        [Path(args.autograder_zip), Path(args.submissions)]
        + [Path(args.submissions) / name for name in names]
    )
    preload()
    zygote = Zygote.start()
    from .grader import Autograder

    settings = _settings(args)
    autograder = Autograder(Path(args.autograder_zip).read_bytes(), _private_dir(args.private))
    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    graded = 0
    for name in names:
        folder = results / Path(name).stem
        if (folder / "grading.json").is_file():  # a restarted pod resumes its shard
            graded += 1
            continue
        path = Path(args.submissions) / name
        try:
            notebook = path.read_bytes()
        except OSError as error:
            outcome = {"status": "error", "reason": f"{name}: {error.strerror}"}
        else:
            outcome = grade_one(autograder, zygote, settings, notebook, name)
        folder.mkdir(parents=True, exist_ok=True)
        _atomic_write(folder / "grading.json", json.dumps(outcome, indent=1))
        graded += 1
        print(f"{name}: {outcome['status']}", flush=True)
    _atomic_write(results / "_done.json", json.dumps({"graded": graded}))
    zygote.stop()
    return 0


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="worker", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("serve", "batch"):
        sub = commands.add_parser(name)
        # No defaults: the host passes its Limits (grading.sandbox.limits), written once there.
        sub.add_argument("--cell-timeout", type=float, required=True)
        sub.add_argument("--timeout", type=float, required=True)
        sub.add_argument("--uid", type=int, required=True, help="the student process's user")
        sub.add_argument("--memory-mb", type=int, required=True)
        sub.add_argument("--processes", type=int, required=True)
        sub.add_argument("--scratch", default="/tmp", help="where student scratch folders go")
        sub.add_argument("--private", default=None, help="the grader's own folder (0700)")
        sub.add_argument(
            "--student-priority", choices=("idle", "normal"), default="idle",
            help="idle: SCHED_IDLE (in a container, whose CPU share is its own); normal: a host",
        )  # fmt: skip
        sub.add_argument("--private-root", help="on a host: make a private / at this folder")
        sub.add_argument("--keep", nargs="*", default=[], help="folders to keep in that root")
        if name == "batch":
            sub.add_argument("--autograder-zip", required=True)
            sub.add_argument("--list", required=True)
            sub.add_argument("--submissions", required=True)
            sub.add_argument("--results", required=True)
    args = parser.parse_args(argv)
    return serve(args) if args.command == "serve" else batch(args)


if __name__ == "__main__":
    sys.exit(main())
