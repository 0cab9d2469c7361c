"""Check a notebook before you submit it.

Run this in a cell just before the export cell::

    from helpers import check_submission

    check_submission()

It reads the **saved** notebook (save with Ctrl+S first) and prints:

1. the answers you have not written yet (code cells still holding a ``...`` placeholder,
   written answers still saying "Type your answer here");
2. which public checks (``grader.check``) fail when the notebook runs top to bottom in a fresh
   kernel, the way the grader runs it;
3. whether the notebook runs top to bottom without an error, and if not, the first cell that
   fails.

The run happens in a temporary copy of the notebook's folder, so your files are not touched.
Remember that the public checks are only light sanity checks: the hidden tests that run after
you submit decide your score.
"""

from __future__ import annotations

import ast
import copy
import os
import re
import shutil
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["check_submission"]

#: Set in the environment of the fresh kernel, so a ``check_submission()`` left in the
#: notebook does not start yet another run from inside the run.
NESTED_ENV = "HELPERS_CHECK_SUBMISSION_RUNNING"
ANSWER_TAG = "otter_answer_cell"
MARKDOWN_PLACEHOLDER = "Type your answer here, replacing this text."

_CHECK_CALL = re.compile(r"""\bgrader\s*\.\s*check\s*\(\s*["']([^"']+)["']""")
_EXPORT_CALL = re.compile(r"\bgrader\s*\.\s*export\s*\(")
_SELF_CALL = re.compile(r"\bcheck_submission\s*\(")
_EXERCISE = re.compile(r"^\s*#+\s*(Exercise\s+\d+[A-Za-z]?)", re.MULTILINE)
_PART = re.compile(r"\*\*\s*(\([^*]+?\)|[A-Z][^*]{0,40}?)\s*\.?\s*\*\*")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_PASSED = re.compile(r"^\s*(\S+) results: All test cases passed!")
# Copying these into the scratch folder only costs time (earlier exports, caches).
_COPY_IGNORE = ("*.zip", "*.pdf", ".ipynb_checkpoints", "__pycache__", ".OTTER_LOG", "*.pyc")


@dataclass
class _Unanswered:
    label: str
    check: str | None  # the public check of the question, if it has one
    reason: str


@dataclass
class _Check:
    name: str
    cell: int  # index of its grader.check cell in the notebook that was run
    added: bool = False  # True if the notebook has no grader.check cell for this test
    status: str = "not run"  # "passed", "failed", "error" or "not run"
    detail: str = ""
    unanswered: bool = False  # fails, and its question still has a placeholder


@dataclass
class _RunError:
    cell: int | None
    label: str
    message: str


@dataclass
class _Report:
    notebook: Path
    saved_at: float
    unanswered: list[_Unanswered] = field(default_factory=list)
    checks: list[_Check] = field(default_factory=list)
    run_error: _RunError | None = None
    run_problem: str = ""  # why the notebook could not be run at all
    skipped: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            not self.unanswered
            and not self.run_problem
            and self.run_error is None
            and all(c.status == "passed" for c in self.checks)
        )


def check_submission(
    notebook: str = "derivatives.ipynb", *, run: bool = True, timeout: int = 600
) -> bool:
    """Check that ``notebook`` is ready to submit; print a summary and return True if it is.

    It looks at the last *saved* version of the notebook, so save it first (Ctrl+S).

    Args:
        notebook: path of the notebook, relative to the current folder (the notebook's own
            folder when you call this from the notebook).
        run: also run the notebook top to bottom in a fresh kernel (in a temporary copy of its
            folder) and read the public checks. With ``run=False`` only the unanswered
            questions are reported, which takes no time.
        timeout: the longest any one cell may run, in seconds, before it is interrupted and
            reported.

    Returns:
        True when every question is answered and, with ``run=True``, every public check passes
        and the notebook runs top to bottom without an error.
    """
    import nbformat

    if os.environ.get(NESTED_ENV):
        print("check_submission: skipped (already running inside check_submission).")
        return True
    if _otter_is_grading():
        print("check_submission: skipped while the autograder runs the notebook.")
        return True

    path = Path(notebook).expanduser().resolve()
    if not path.is_file():
        print(f"check_submission: {notebook} not found in {Path.cwd()}.")
        print("Call it from the notebook's folder, or pass the notebook's path.")
        return False
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # an empty or damaged file: say so rather than raise
        print(f"check_submission: could not read {path.name} ({type(exc).__name__}: {exc}).")
        print("Save the notebook (Ctrl+S) and try again.")
        return False
    report = _Report(notebook=path, saved_at=path.stat().st_mtime)
    labels = _cell_labels(nb)
    report.unanswered = _unanswered(nb, labels)
    if run:
        start = time.monotonic()
        _run(nb, path, labels, report, timeout)
        report.seconds = time.monotonic() - start
    print(_format(report, run))
    return report.ok


def _otter_is_grading() -> bool:
    """True inside Otter's autograder run (it puts ``otter.Notebook`` in grading mode)."""
    module = sys.modules.get("otter.check.notebook")
    return bool(getattr(getattr(module, "Notebook", None), "_grading_mode", False))


# --- naming the answer cells -------------------------------------------------------------


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _is_answer(cell: Any) -> bool:
    return ANSWER_TAG in _tags(cell)


def _check_name(cell: Any) -> str | None:
    if cell.cell_type != "code":
        return None
    match = _CHECK_CALL.search(cell.source)
    return match.group(1) if match else None


def _part(prompt: str) -> str:
    """The part a prompt names: "(a)", "(d, explanation)", "Derivation", or ""."""
    match = _PART.search(_HTML_COMMENT.sub("", prompt))
    return match.group(1).strip().rstrip(".") if match else ""


def _cell_labels(nb: Any) -> dict[int, str]:
    """A human name for every answer cell, e.g. "q1b (Exercise 1 (b))" or "Exercise 3 (a)".

    The check name comes from the ``grader.check`` cell that directly follows the answer
    cell(s); the exercise and part from the headings and prompt above it.
    """
    labels: dict[int, str] = {}
    exercise, part = "", ""
    cells = nb.cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and not _is_answer(cell):
            found = _EXERCISE.findall(cell.source)
            if found:
                exercise, part = found[-1], ""
            part = _part(cell.source) or part
            continue
        if not _is_answer(cell):
            continue
        check = _following_check(cells, i)
        sep = " " if part.startswith("(") else ", "
        where = sep.join(p for p in (exercise, part) if p) or f"cell {i + 1}"
        labels[i] = f"{check} ({where})" if check else where
    return labels


def _following_check(cells: list[Any], i: int) -> str | None:
    """The check of answer cell ``i``: a ``grader.check`` cell right after its answer cells."""
    j = i + 1
    while j < len(cells) and _is_answer(cells[j]):
        j += 1
    return _check_name(cells[j]) if j < len(cells) else None


def _label(labels: dict[int, str], nb: Any, index: int) -> str:
    """The name of any cell: its answer label, its check, or the question above it."""
    if index in labels:
        return labels[index]
    check = _check_name(nb.cells[index])
    if check:
        return f'the grader.check("{check}") cell'
    earlier = [i for i in labels if i < index]
    near = f", after {labels[max(earlier)]}" if earlier else ""
    return f"cell {index + 1}{near}"


# --- unanswered questions ----------------------------------------------------------------


def _placeholder_lines(source: str) -> list[str] | None:
    """Lines holding a bare ``...`` (not ``a[..., 0]``), or None if the code does not parse."""
    # IPython syntax (%magic, !shell) is not Python: blank it out before parsing.
    lines = source.splitlines()
    cleaned = "\n".join("" if line.lstrip().startswith(("%", "!", "?")) else line for line in lines)
    try:
        tree = ast.parse(cleaned)
    except SyntaxError:
        return None
    in_subscript: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            in_subscript.update(id(n) for n in ast.walk(node.slice))
    found = sorted(
        {
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and node.value is Ellipsis
            and id(node) not in in_subscript
        }
    )
    return [lines[n - 1].strip() for n in found if n - 1 < len(lines)]


def _unanswered(nb: Any, labels: dict[int, str]) -> list[_Unanswered]:
    found = []
    for i, cell in enumerate(nb.cells):
        if not _is_answer(cell):
            continue
        check = _following_check(nb.cells, i)
        text = cell.source.strip()
        if cell.cell_type == "markdown":
            if MARKDOWN_PLACEHOLDER in text:
                reason = f'written answer still says "{MARKDOWN_PLACEHOLDER}"'
                found.append(_Unanswered(labels[i], check, reason))
            elif not text:
                found.append(_Unanswered(labels[i], check, "written answer is empty"))
            continue
        if cell.cell_type != "code":
            continue
        if not text:
            found.append(_Unanswered(labels[i], check, "answer cell is empty"))
            continue
        lines = _placeholder_lines(cell.source)
        if lines is None:  # a syntax error: the run reports it; look for "..." by hand
            lines = [ln.strip() for ln in cell.source.splitlines() if _bare_dots(ln)]
        if lines:
            found.append(_Unanswered(labels[i], check, _placeholder_reason(lines)))
    return found


def _placeholder_reason(lines: list[str]) -> str:
    """ "still contains the `...` placeholder", naming the lines that assign one."""
    named = [ln for ln in lines if ln != "..."]
    if not named:
        return "still contains the `...` placeholder"
    shown = "; ".join(f"`{ln}`" for ln in named[:3])
    more = f" and {len(named) - 3} more" if len(named) > 3 else ""
    return f"still contains `...`: {shown}{more}"


def _bare_dots(line: str) -> bool:
    code = line.split("#", 1)[0]
    return re.search(r"(?<![\w.\[])\.\.\.(?![\w.])", code) is not None


# --- running the notebook in a fresh kernel ----------------------------------------------


def _run(nb: Any, path: Path, labels: dict[int, str], report: _Report, timeout: int) -> None:
    try:
        from nbclient import NotebookClient
        from nbclient.exceptions import CellTimeoutError, DeadKernelError
    except ImportError:
        report.run_problem = "nbclient is not installed (pip install nbclient)"
        return

    work = copy.deepcopy(nb)
    for i, cell in enumerate(work.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if _EXPORT_CALL.search(cell.source) or _SELF_CALL.search(cell.source):
                cell.source = ""  # an empty cell is not executed; indices stay the same
                report.skipped.append(i)
    for i, cell in enumerate(work.cells):
        name = _check_name(cell)
        if name and i not in report.skipped:
            report.checks.append(_Check(name, i))
    # Public tests without a grader.check cell (deleted by accident) are checked at the end.
    tests_dir = path.parent / "tests"
    have = {c.name for c in report.checks}
    extra = sorted(p.stem for p in tests_dir.glob("*.py") if not p.stem.startswith("_"))
    for name in [n for n in extra if n not in have]:
        work.cells.append(_code_cell(f'grader.check("{name}")'))
        report.checks.append(_Check(name, len(work.cells) - 1, added=True))

    kernel_name = _kernel_name(work)
    env = dict(os.environ, **{NESTED_ENV: "1"})
    current: dict[str, int] = {}
    stop = threading.Event()

    def on_cell_start(cell: Any, cell_index: int) -> None:
        if stop.is_set():
            raise KeyboardInterrupt("check_submission was interrupted")
        current["index"] = cell_index

    outcome: dict[str, BaseException] = {}

    with tempfile.TemporaryDirectory(prefix="check-submission-") as tmp:
        folder = Path(tmp) / "notebook"
        shutil.copytree(path.parent, folder, ignore=shutil.ignore_patterns(*_COPY_IGNORE))
        client = NotebookClient(
            work,
            timeout=timeout,
            startup_timeout=120,
            kernel_name=kernel_name,
            allow_errors=True,
            interrupt_on_timeout=True,
            record_timing=False,
            resources={"metadata": {"path": str(folder)}},
            on_cell_start=on_cell_start,
        )

        def target() -> None:
            try:
                client.execute(env=env)
            except BaseException as exc:  # reported below, in the caller's thread
                outcome["error"] = exc

        print(f"check_submission: running {path.name} in a fresh kernel (this takes a while)...")
        worker = threading.Thread(target=target, name="check_submission", daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(0.2)
        except KeyboardInterrupt:
            stop.set()
            print("check_submission: interrupted; stopping the fresh kernel...")
            worker.join(timeout + 30)
            raise

    error = outcome.get("error")
    report.run_error = _first_error(work, labels, timeout)
    index = current.get("index")
    if report.run_error is not None or error is None:
        pass
    elif isinstance(error, CellTimeoutError) and index is not None:
        message = f"did not finish within {timeout} s"
        report.run_error = _RunError(index, _label(labels, work, index), message)
    elif isinstance(error, DeadKernelError):
        where = _label(labels, work, index) if index is not None else "kernel start-up"
        report.run_error = _RunError(index, where, "the kernel died (out of memory?)")
    else:
        report.run_problem = f"{type(error).__name__}: {error}"
    unanswered = {u.check for u in report.unanswered}
    for check in report.checks:
        check.status, check.detail = _read_check(work.cells[check.cell])
        if check.status != "passed" and check.name in unanswered:
            check.unanswered = True


def _code_cell(source: str) -> Any:
    import nbformat

    return nbformat.v4.new_code_cell(source)


def _first_error(nb: Any, labels: dict[int, str], timeout: int) -> _RunError | None:
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") != "error":
                continue
            if out.get("ename") == "KeyboardInterrupt":  # interrupted after the timeout
                message = f"did not finish within {timeout} s"
            else:
                message = f"{out.get('ename')}: {_first_line(out.get('evalue', ''))}"
            return _RunError(i, _label(labels, nb, i), message)
    return None


def _kernel_name(nb: Any) -> str:
    name = nb.metadata.get("kernelspec", {}).get("name") or "python3"
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        try:
            KernelSpecManager().get_kernel_spec(name)
        except NoSuchKernel:
            return "python3"
    except ImportError:
        pass
    return name


def _first_line(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip()
    return text.splitlines()[0] if text else ""


def _read_check(cell: Any) -> tuple[str, str]:
    """("passed" | "failed" | "error" | "not run", detail) from a grader.check cell's outputs."""
    outputs = cell.get("outputs", [])
    for out in outputs:
        if out.get("output_type") == "error":
            return "error", f"{out.get('ename')}: {_first_line(out.get('evalue', ''))}"
    for out in outputs:
        text = out.get("data", {}).get("text/plain") or out.get("text") or ""
        if isinstance(text, list):
            text = "".join(text)
        if _PASSED.match(text):
            return "passed", ""
        if re.match(r"^\s*\S+ results:", text):
            return "failed", _failure_reason(text)
    if outputs:
        return "failed", "its output does not say that the tests passed"
    return "not run", "no result (was the check's result assigned instead of shown?)"


def _failure_reason(text: str) -> str:
    """The error line of each failed test case, e.g. "AssertionError: ... disagrees ..."."""
    reasons = []
    for block in text.split("❌ Test case failed")[1:]:
        lines = [ln.strip() for ln in block.strip().splitlines() if ln.strip()]
        # The block ends with the error ("TypeError: ...") unless another test case follows.
        errors = [ln for ln in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception)\b", ln)]
        if errors:
            reasons.append(errors[0])
        elif lines:
            reasons.append(lines[-1])
    return "; ".join(reasons) or "a public test failed"


# --- the summary --------------------------------------------------------------------------


def _format(report: _Report, run: bool) -> str:
    saved = time.strftime("%H:%M:%S", time.localtime(report.saved_at))
    title = f"Submission check: {report.notebook.name} (last saved at {saved})"
    lines = [title, "=" * len(title)]

    if report.unanswered:
        lines.append(f"[ ] {len(report.unanswered)} answer(s) still to write:")
        lines += [f"      - {u.label}: {u.reason}" for u in report.unanswered]
    else:
        lines.append("[x] Every question has an answer.")

    if not run:
        lines.append("    (Not run: call check_submission() to run the public checks as well.)")
    elif report.run_problem:
        lines.append(f"[ ] Could not run the notebook: {report.run_problem}")
    else:
        failed = [c for c in report.checks if c.status != "passed"]
        total = len(report.checks)
        if not total:
            lines.append("[x] No public checks (grader.check cells) to run.")
        elif not failed:
            lines.append(f"[x] All {total} public checks pass in a fresh kernel.")
        else:
            lines.append(
                f"[ ] {len(failed)} of {total} public checks do not pass in a fresh kernel:"
            )
            for c in failed:
                if c.unanswered:
                    continue
                added = " (its grader.check cell is missing)" if c.added else ""
                verb = {"failed": "fails", "error": "raises", "not run": "was not run"}[c.status]
                detail = f": {c.detail}" if c.detail else ""
                lines.append(f"      - {c.name} {verb}{added}{detail}")
            waiting = [c.name for c in failed if c.unanswered]
            if waiting:
                lines.append(
                    textwrap.fill(
                        f"- {len(waiting)} fail because they are not answered yet: "
                        + ", ".join(waiting),
                        width=96,
                        initial_indent=" " * 6,
                        subsequent_indent=" " * 8,
                    )
                )
        if report.run_error is None:
            lines.append("[x] The notebook runs top to bottom without an error.")
        else:
            e = report.run_error
            lines.append("[ ] The notebook does not run top to bottom without an error.")
            lines.append(f"      First failing cell: {e.label}: {e.message}")
        skipped = "; skipped the cells calling grader.export or check_submission"
        lines.append(
            f"    (Ran in a fresh kernel in {report.seconds:.0f} s"
            + (skipped if report.skipped else "")
            + ".)"
        )

    lines.append("")
    if report.ok and run:
        lines.append("READY: everything is answered and every public check passes.")
        lines.append("Now save (Ctrl+S), run the export cell and upload the zip.")
        lines.append(
            "The public checks are light: the hidden tests that run after you submit decide "
            "your score."
        )
    elif report.ok:
        lines.append("Every question is answered (the notebook was not run).")
    else:
        lines.append("NOT READY yet: fix the items marked [ ] above, save, and check again.")
        if report.unanswered:
            lines.append(
                "Unanswered parts score 0; you can still submit a partial notebook if you must."
            )
    lines.append(
        "Only the SAVED notebook was checked: save with Ctrl+S before checking and exporting."
    )
    return "\n".join(lines)
