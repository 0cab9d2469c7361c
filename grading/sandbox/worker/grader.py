"""Grade one notebook: run its cells in a student process, then Otter's tests here.

The order of events is Otter's (``otter.execute.grade_notebook``): the same cell filtering,
seeding and ``grader.check`` insertion (done by Otter's own ``GradingPreprocessor``), a check
runs its test against the values of that moment, and every test not yet run runs after the
last cell. What differs is where: the tests run in this process, with its own numpy, against
copies of the student's values, so a cell cannot change what a test sees or what it scores.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import io
import json
import linecache
import shutil
import sys
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .outputs import Budget, clean_cell, question_cells
from .proxies import StudentNamespace
from .sandboxing import ChildLimits, clean_up_user, kill_strays, reap_zombies
from .session import OutOfTime, Session, StudentGone
from .student_imports import student_modules
from .summary import summarise
from .tamper import scan_cells
from .workfolder import WorkFolder
from .zygote import Zygote, importable_packages, notebook_imports

MAX_REPLAYS = 3
REPLAY_MESSAGE = "this cell stopped the grading kernel ({why}); it was skipped"
EXHAUSTED_MESSAGE = "it used up the memory and kept it; cell {index} then failed for want of it"
TIMEOUT_MESSAGE = "the cell ran longer than {seconds:g} s and was interrupted"
OUT_OF_TIME = "exceeded the {seconds:g} s limit for the whole submission"
STRAYS_MESSAGE = "the processes it started could not be stopped"
INDEX_KEY = "grading_index"
PHASES_LABEL = "seconds per phase:"  # the log's last line; the benchmark reads it
SOLUTION_TAG = "otter_assign_solution_cell"  # Otter Assign's mark on the solutions notebook


@dataclass(frozen=True)
class Settings:
    """What the host asks for (its defaults live in ``grading.sandbox.Limits``, written once)."""

    cell_timeout: float  # seconds per cell; a test's call to a student function too
    timeout: float  # seconds for the whole submission
    uid: int  # the student process's user, when the worker runs as root
    limits: ChildLimits
    scratch_root: Path = Path("/tmp")


class Autograder:
    """The instructor's zip, unpacked into the grader's private folder (0700)."""

    def __init__(self, zip_bytes: bytes, private: Path, keep_tests_on_disk: bool = True) -> None:
        self.root = private / "source"
        self.root.mkdir(parents=True, exist_ok=True)
        private.chmod(0o700)
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:  # the instructor's: trusted
            archive.extractall(self.root)
        self.config = json.loads((self.root / "otter_config.json").read_text(encoding="utf-8"))
        self.tests_dir = self.root / "tests"
        self._test_files: dict[str, object] = {}
        self.test_paths = sorted(
            str(p) for p in self.tests_dir.glob("*.py") if p.name != "__init__.py"
        )  # what Otter's runner globs (``./tests/*.py``), less a package marker
        files = self.root / "files"
        self.support = {  # Otter copies them into the submission's folder
            p.relative_to(files).as_posix(): p.read_bytes()
            for p in sorted(files.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
        }
        self.work = WorkFolder(private, self.support)
        self.preloaded: set[str] = set()  # packages this worker's zygote imported on request
        if not keep_tests_on_disk:
            self._forget_tests()

    def _forget_tests(self) -> None:
        """Where student code runs as the grader's own user, a 0700 folder hides nothing: keep
        the tests in memory only (compiled, and their lines cached for tracebacks)."""
        for path in self.test_paths:
            lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
            linecache.cache[path] = (sum(map(len, lines)), None, lines, path)
            self.test_file(path)
        shutil.rmtree(self.root)

    @property
    def name(self) -> str | None:
        return self.config.get("assignment_name")

    def test_file(self, path: str):
        """Otter's test file object for ``path``, read and compiled once per worker."""
        if path not in self._test_files:
            from otter.nbmeta_config import NBMetadataConfig
            from otter.test_files import create_test_file

            self._test_files[path] = create_test_file(path, NBMetadataConfig())
        return self._test_files[path]


def import_for_grading() -> None:
    """What grading every notebook uses here (Otter's preprocessor and test files, and pandas
    with them): imported as the worker starts, while its zygote imports for the students."""
    from otter.execute.preprocessor import GradingPreprocessor  # noqa: F401
    from otter.nbmeta_config import NBMetadataConfig  # noqa: F401
    from otter.test_files import create_test_file  # noqa: F401
    from traitlets.config import Config  # noqa: F401


def warm_up_preparation(autograder: Autograder, cwd: Path) -> None:
    """Prepare a one-cell notebook: the first preparation builds nbformat's cell validator and
    sets Otter's preprocessor classes up (~0.04 s), on a cold start's path if left to the first
    submission. Done while the zygote still imports."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    prepare_cells(notebook, autograder, cwd)


def prepare_cells(nb: nbformat.NotebookNode, autograder: Autograder, cwd: Path) -> list[dict]:
    """The code Otter would execute, cell by cell, minus its own first and last cells.

    Each item is ``{"source", "index"}``: ``index`` is the submitted cell it came from (None for
    cells Otter adds), so that the log can name the submitted cell.
    """
    from otter.execute.preprocessor import GradingPreprocessor
    from traitlets.config import Config

    work = copy.deepcopy(nb)
    for index, cell in enumerate(work.cells):
        cell.setdefault("metadata", {})[INDEX_KEY] = index
    config = Config()
    config.GradingPreprocessor.cwd = str(cwd)
    config.GradingPreprocessor.test_dir = "./tests"
    config.GradingPreprocessor.tests_glob = []
    config.GradingPreprocessor.results_path = "/dev/null"
    config.GradingPreprocessor.seed = autograder.config.get("seed")
    config.GradingPreprocessor.seed_variable = autograder.config.get("seed_variable")
    config.GradingPreprocessor.logging_server_host = "localhost"
    config.GradingPreprocessor.logging_server_port = 0
    work, _ = GradingPreprocessor(config=config).preprocess(work, {})
    cells = [c for c in work.cells[:-1] if c.cell_type == "code"]  # the last: Otter's export
    return [{"source": c.source, "index": c.metadata.get(INDEX_KEY)} for c in cells]


class NotebookRun:
    """One submission's grading: cells, checks, replays, then the remaining tests."""

    def __init__(self, autograder: Autograder, zygote: Zygote, settings: Settings) -> None:
        self.autograder, self.zygote, self.settings = autograder, zygote, settings
        self.results: dict[str, object] = {}  # question -> Otter TestFile, the last check wins
        self.session: Session | None = None
        self.scratch = settings.scratch_root / f"student-{uuid.uuid4().hex[:12]}"
        self.peak_mb = 0.0
        self.solution_cells = 0
        self.phases: dict[str, float] = {}  # seconds, for the log and the benchmark
        self.start_seconds = self.stop_seconds = 0.0  # the student process's start and end
        self.deadline = 0.0  # time.monotonic() when the whole submission must end
        self.test_seconds = 0.0
        self.extra_files: dict[str, bytes] = {}  # what the student submitted beside the notebook
        self.live: dict[str, list[str]] = {}  # question -> live objects its test used
        self.unfaithful: dict[str, list[str]] = {}  # question -> test values that did not cross
        self.stopped: list[dict] = []  # cells a limit stopped: the instructor is told which
        self.imports: list[str] = []  # installed packages the notebook imported
        self.rewritten: set[str] = set()  # the assignment's files the notebook wrote over
        self.keep: dict[int, str] = {}  # submitted cell index -> id, of cells whose outputs we keep
        self.outputs: dict[str, list[dict]] = {}  # cell id -> its outputs from this run

    def grade(
        self,
        notebook: bytes,
        name: str,
        files: dict[str, bytes] | None = None,
        keep: list[str] | None = None,
    ) -> dict:
        """``keep``: the ids of the cells whose outputs the hand grader sees (the host's, from
        the assignment's master); None: Otter's BEGIN/END QUESTION regions of the notebook."""
        started = time.monotonic()
        self.deadline = started + self.settings.timeout
        self.extra_files = dict(files or {})
        try:
            nb = read_submission(notebook, name)
        except Exception as error:
            return {"status": "error", "reason": f"{name}: not a readable notebook ({error})"}
        got = (nb.metadata.get("otter") or {}).get("assignment_name")
        if self.autograder.name and got != self.autograder.name and not name.endswith(".py"):
            reason = (
                f"Received submission for assignment '{got}' "
                f"(this is assignment '{self.autograder.name}')"
            )
            return {"status": "error", "reason": reason}
        self.solution_cells = sum(
            SOLUTION_TAG in (cell.get("metadata", {}).get("tags") or []) for cell in nb.cells
        )
        self.keep = kept_cells(nb, keep)
        cells = prepare_cells(nb, self.autograder, self.scratch)
        self.phases["prepare"] = time.monotonic() - started
        skipped: dict[int, str] = {}
        for _attempt in range(MAX_REPLAYS + 1):
            lost = self._execute(cells, skipped, name, notebook)
            if lost is None:
                break
            position, why = lost
            if position < 0:  # out of time for the whole submission
                return self._timed_out()
            skipped[position] = why
            self._stop()
        else:
            self._stop()
            reason = f"the kernel was lost {MAX_REPLAYS + 1} times"
            return {"status": "error", "reason": reason}
        cells_and_checks = time.monotonic() - started - self.phases["prepare"]
        self.phases["start"] = self.start_seconds  # the student process: spawned, files laid out
        self.phases["cells"] = cells_and_checks - self.test_seconds - self.start_seconds
        try:
            for path in self.autograder.test_paths:
                if not any(path in tf.path or tf.path in path for tf in self.results.values()):
                    self._check_path(path)
            report = self.session.request({"op": "report"}, self.settings.cell_timeout)
            replaced = list(report.get("replaced", []))
            reported = report.get("imports")  # the student process's word: checked
            reported = reported if isinstance(reported, list) else []
            self.imports = importable_packages(
                [*notebook_imports(c["source"] for c in cells), *reported]
            )
        except StudentGone:
            replaced = []
        if time.monotonic() >= self.deadline:  # a test's call ran into the deadline
            return self._timed_out()
        self._stop()  # records the student process's peak memory first
        outcome = self._outcome(cells, skipped, replaced)
        self.phases["tests"] = self.test_seconds  # every test run, in a check cell or after
        self.phases["channel"] = self.session.channel_seconds  # tests waiting on the student
        self.phases["stop"] = self.stop_seconds  # its end, its user's processes and files gone
        self.phases["total"] = time.monotonic() - started
        outcome["phases"] = {k: round(v, 3) for k, v in self.phases.items()}
        outcome["imports"] = self.imports  # the host preloads them in this assignment's workers
        outcome["outputs"] = self.outputs
        self.zygote.preload([m for m in self.imports if m not in self.autograder.preloaded])
        self.autograder.preloaded.update(self.imports)
        log_summary(outcome)
        return outcome

    # -- execution ------------------------------------------------------------------------------

    def _start(self, name: str, notebook: bytes) -> None:
        started = time.monotonic()
        self.session = Session(
            self.zygote, self.settings.uid, self.scratch, self.settings.limits,
            self.settings.cell_timeout, self._on_check, self.deadline,
        )  # fmt: skip
        # The submission's folder as Otter lays it out: the student's files, the notebook, then
        # the assignment's support files over them.
        files = {**self.extra_files, Path(name).name: notebook, **self.autograder.support}
        self.autograder.work.reset(Path(name).name, notebook)
        self.autograder.work.take(_base64(self.extra_files))
        message = {"op": "setup", "files": _base64(files)}
        try:
            self.session.request(message, self.settings.cell_timeout)
        finally:
            self.start_seconds += time.monotonic() - started

    def _stop(self) -> None:
        started = time.monotonic()
        if self.session is not None:
            self.peak_mb = max(self.peak_mb, self.session.peak_memory_mb())
            self.session.close()
            self.session.wait_gone()  # before the clean-up, which would compete with its exit
        clean_up_user(self.settings.uid, self.scratch, self.session.pid if self.session else None)
        reap_zombies()
        self.stop_seconds += time.monotonic() - started

    def _timed_out(self) -> dict:
        self._stop()
        reason = OUT_OF_TIME.format(seconds=self.settings.timeout)
        return {"status": "timeout", "reason": reason, "peak_memory_mb": self.peak_mb}

    def _execute(self, cells, skipped, name, notebook):
        """Run every cell; ``(position, why)`` of a cell that lost the student process, or
        ``(-1, why)`` when the whole submission is out of time."""
        self.results.clear()
        self.live.clear()
        self.unfaithful.clear()
        self.outputs.clear()
        budget = Budget()
        self.stopped = [{"cell": cells[p].get("index"), "limit": why} for p, why in skipped.items()]
        try:
            self._start(name, notebook)
        except OutOfTime as error:
            return -1, str(error)
        exhausted = None  # the first cell that ran out of memory: what it holds stays held
        for position, cell in enumerate(cells):
            source = cell["source"]
            if position in skipped:
                source = f"raise RuntimeError({REPLAY_MESSAGE.format(why=skipped[position])!r})"
            seconds = self.settings.cell_timeout
            kept = self.keep.get(cell.get("index"))
            request = {"op": "run", "source": source, **({"keep": True} if kept else {})}
            try:
                reply = self.session.request(request, seconds)
            except OutOfTime as error:
                return -1, str(error)
            except StudentGone as error:
                if exhausted is not None:  # a later cell died of what that one left
                    return exhausted, EXHAUSTED_MESSAGE.format(index=cell.get("index"))
                return position, str(error)
            # What the cell left running would go on competing with the next cells for memory
            # and processes (a fork bomb's copies): a cell's processes end with it.
            if not kill_strays(self.settings.uid, keep=self.session.pid):
                self.session.alive = False
                return position, STRAYS_MESSAGE
            if kept:  # the student process's word for them: checked and bounded here
                self.outputs[kept] = self.outputs.get(kept, []) + clean_cell(
                    reply.get("outputs"), budget
                )
            where = f"cell {cell.get('index')}" if cell.get("index") is not None else "Otter's cell"
            if reply.get("interrupted"):
                log(f"{where}: " + TIMEOUT_MESSAGE.format(seconds=seconds))
                limit = f"the {seconds:g} s time limit of a cell"
                self.stopped.append({"cell": cell.get("index"), "limit": limit})
            for error in reply.get("errors", []):
                log(f"{where}: {str(error)[:300]}")
                if str(error).startswith("MemoryError"):
                    self.stopped.append({"cell": cell.get("index"), "limit": "the memory limit"})
                    if exhausted is not None and exhausted != position:
                        return exhausted, EXHAUSTED_MESSAGE.format(index=cell.get("index"))
                    exhausted = position
            if reply.get("exit"):
                return position, "the cell asked the kernel to exit"
        return None

    def _on_check(self, question: str) -> dict:
        """``grader.check(question)`` in a cell: Otter runs the test there and then."""
        path = str(self.autograder.tests_dir / f"{question}.py")
        if path not in self.autograder.test_paths:
            return {"missing": True}  # Otter raises FileNotFoundError in the cell
        test_file = self._check_path(path)
        return {"result": {
            "name": test_file.name, "score": float(test_file.score),
            "possible": float(test_file.possible), "passed_all": bool(test_file.passed_all),
            "passed_all_public": bool(test_file.passed_all_public),
        }}  # fmt: skip

    def _check_path(self, path: str):
        """Run one test file against the student's current values, as Otter's kernel would:
        in the submission folder's copy, with the student's random state, output and files."""
        started = time.monotonic()
        session = self.session
        session.live_types.clear()
        session.unfaithful.clear()
        test_file = copy.copy(self.autograder.test_file(path))  # run() sets its own results
        with contextlib.suppress(StudentGone):
            self.rewritten.update(self.autograder.work.take(session.sync()))
        work = self.autograder.work
        with work.entered(), student_modules(session, work.student_modules()):
            test_file.run(StudentNamespace(session))
        with contextlib.suppress(StudentGone):
            session.push_rng()
        self.test_seconds += time.monotonic() - started
        self.results.pop(test_file.name, None)
        self.results[test_file.name] = test_file
        self.live[test_file.name] = sorted(session.live_types)
        self.unfaithful[test_file.name] = sorted(session.unfaithful)
        return test_file

    # -- the outcome ----------------------------------------------------------------------------

    def _void_tampered_live(self, summary: dict, replaced: list[str]) -> list[str]:
        """A question whose test used a live object of a library class the notebook patched was
        answered by the patch: it earns nothing (the rest of the notebook keeps its scores)."""
        notes = []
        for question in summary["questions"]:
            used = self.live.get(question["name"], [])
            patched = [r for r in replaced if any(r.startswith(f"{kind}.") for kind in used)]
            if patched and question["score"]:
                question["score"] = 0.0
                notes.append(f"{question['name']} scored 0: its test used {', '.join(patched)}, "
                             "which the notebook replaced")  # fmt: skip
        return notes

    def _outcome(self, cells: list[dict], skipped: dict[int, str], replaced: list[str]) -> dict:
        notes = [f"cell {cells[p].get('index')} ({why}) stopped the kernel and was skipped"
                 for p, why in skipped.items()]  # fmt: skip
        submitted = [c["source"] for c in cells if c.get("index") is not None]
        tampering = scan_cells(submitted) + [f"replaced {name} at run time" for name in replaced]
        tampering += [f"rewrote the assignment's file {name} (the tests read the original)"
                      for name in sorted(self.rewritten)]  # fmt: skip
        if self.solution_cells:
            tampering.insert(
                0,
                f"the notebook holds {self.solution_cells} cells of the instructor's solutions "
                f"notebook (tagged {SOLUTION_TAG})",
            )
        status = "tampered" if tampering else "graded"
        summary = summarise(self.results)
        notes += self._void_tampered_live(summary, replaced)
        reason = "; ".join(tampering + notes)
        return {
            "status": status,
            "reason": reason,
            **summary,
            "live": {q: types for q, types in self.live.items() if types and q in self.results},
            "unfaithful": {q: kinds for q, kinds in self.unfaithful.items() if kinds},
            "stopped": self.stopped,
            "peak_memory_mb": self.peak_mb,
        }


def kept_cells(nb: nbformat.NotebookNode, keep: list[str] | None) -> dict[int, str]:
    """Submitted cell index -> id of the code cells whose outputs are kept: those named in
    ``keep``, or without it Otter's manually graded regions (``outputs.question_cells``)."""
    wanted = set(question_cells(nb) if keep is None else keep)
    return {
        index: cell["id"]
        for index, cell in enumerate(nb.cells)
        if cell.get("cell_type") == "code" and isinstance(cell.get("id"), str)
        and cell["id"] in wanted
    }  # fmt: skip


def read_submission(data: bytes, name: str) -> nbformat.NotebookNode:
    """The notebook, or a Python script as Otter grades one: a notebook of one cell. Not
    validated again: the host did (``ingest.validate``), and ``nbformat.reads`` only logs."""
    text = data.decode("utf-8")
    if name.endswith(".py"):
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text)])
    return nbformat.convert(nbformat.reader.reads(text), 4)


def _base64(files: dict[str, bytes]) -> dict[str, str]:
    return {name: base64.b64encode(data).decode("ascii") for name, data in files.items()}


def log_summary(outcome: dict) -> None:
    """Otter's closing lines, for the instructor reading the log."""
    log("GRADING SUMMARY")
    for question in outcome["questions"]:
        log(f"{question['name']}: {question['score']:g} / {question['possible']:g}")
    if outcome["reason"]:
        log(f"{outcome['status']}: {outcome['reason']}")
    phases = ", ".join(f"{name} {seconds:.3f}" for name, seconds in outcome["phases"].items())
    log(f"{PHASES_LABEL} {phases}")


def log(line: str) -> None:
    """The per-submission log the host keeps (the worker's stderr)."""
    print(line, file=sys.stderr, flush=True)
