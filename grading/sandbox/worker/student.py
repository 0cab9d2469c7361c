"""The student process: executes a notebook's cells and answers the grader's requests.

Everything here runs as the student's user, after ``sandboxing.drop_privileges``. It is trusted
with nothing: it never sees a test, and what it sends back is data the grader checks.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import functools
import importlib
import io
import operator
import os
import random
import signal
import sys
import types
import warnings
from pathlib import Path
from stat import S_ISREG
from typing import Any

import numpy as np

from .channel import Channel
from .codec import TAG, decode, encode
from .sandboxing import FORKED_OOM_SCORE
from .shared_state import rng_fingerprint, rng_state, set_rng_state
from .values_numpy import state_of

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
MAX_OUTPUT = 1 << 20  # characters of what the student's code prints for one test request
MAX_FILE_BYTES = 16 << 20  # a file the cells wrote, copied for the tests to read
MAX_FILES_BYTES = 64 << 20
MAX_FILES = 1000
FUNCTION_TYPES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                  types.BuiltinMethodType, functools.partial, np.ufunc)  # fmt: skip
WATCHED_MODULES = ("builtins", "math", "numpy", "numpy.testing", "numpy.linalg")
IPYTHON_BUILTINS = {"exit", "quit", "get_ipython", "display"}
GRADER_BUILTINS = ("open", "exit", "quit")  # IPython's, in the notebook's names: a test's own
KEPT_TYPES = ["text/plain", "image/png", "text/html"]  # computed in the cells whose outputs we keep
MAX_KEPT_OUTPUTS = 100  # outputs one cell may send (the grader keeps fewer: ``outputs``)
MAX_KEPT_CHARS = 4 << 20  # characters of outputs one cell may send


class Student:
    """One notebook's execution state and the request loop over its channel.

    Built once in the zygote (the IPython shell costs ~25 ms), so every student process starts
    from a copy of the same pristine object and only attaches its channel.
    """

    def __init__(self) -> None:
        self.channel: Channel | None = None
        self.handles: dict[int, Any] = {}
        self.errors: list[str] = []
        self.outputs: list[tuple[BoundedText, BoundedText]] = []  # one pair per test request
        self.rng_synced: int | None = None  # the random state the grader last saw
        self.files_seen: dict[str, tuple[int, int]] = {}  # file -> (size, mtime) the grader has
        self.modules_at_start: set[str] = set()  # top-level modules the zygote had imported
        self.used_types: set[type] = set()  # classes of the live objects tests used
        self.capture: OutputCapture | None = None  # the running cell's outputs, when kept
        self.shell = make_shell(self)
        self.snapshot = snapshot_watched()
        self.injected = {n: self.shell.user_ns.get(n) for n in GRADER_BUILTINS}

    # -- the request loop -----------------------------------------------------------------------

    def serve(self, until: tuple[str, ...] = ()) -> dict:
        """Answer requests until one of the ``until`` replies arrives (nested calls re-enter)."""
        while True:
            message = self.channel.recv()
            op = message.get("op")
            if op in until:
                return message
            if op == "exit":
                raise SystemExit(0)
            handler = getattr(self, f"on_{op}", None)
            if handler is None:
                reply = {"op": "raised", "type": "RuntimeError", "message": f"unknown op {op!r}"}
            else:
                reply = handler(message)
            reply["seq"] = message.get("seq")
            try:
                self.channel.send(reply)
            except ValueError as error:  # larger than a message may be: say so instead
                failed = {"op": "raised", "type": "MemoryError", "message": str(error)}
                self.channel.send({**failed, "seq": message.get("seq")})

    def on_setup(self, message: dict) -> dict:
        for relative, content in message.get("files", {}).items():
            path = Path(relative)
            if path.is_absolute() or ".." in path.parts:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(content))
        self.files_seen = {rel: stamp for rel, stamp in _regular_files(Path("."))}
        return {"op": "ready"}

    def on_sync(self, message: dict) -> dict:
        """Before a test: what it must see of this process besides its values. The files this
        folder holds that the grader has not seen (its tests read them in a copy of this folder,
        as Otter's tests read the submission folder) and the random state, if it moved."""
        files, total = {}, 0
        for relative, stamp in _regular_files(Path(".")):
            if self.files_seen.get(relative) == stamp:
                continue
            self.files_seen[relative] = stamp
            size = stamp[0]
            if size > MAX_FILE_BYTES or total + size > MAX_FILES_BYTES:
                continue
            with contextlib.suppress(OSError):
                data = _read_regular(relative)
                files[relative] = base64.b64encode(data).decode("ascii")
                total += len(data)
        return self._moved_rng({"op": "synced", "files": files})

    def on_run(self, message: dict) -> dict:
        """Run one cell. Output goes nowhere (the process's stdout is /dev/null): only the
        values are graded. A cell of a hand-graded question (``keep``) has its outputs kept
        as a notebook would (figures rendered as PNG): the hand grader sees them."""
        self.errors = []
        reap_children()
        capture = OutputCapture(self.shell) if message.get("keep") else None
        self.capture = capture
        try:
            with capture if capture is not None else contextlib.nullcontext():
                result = self.shell.run_cell(message["source"], store_history=True)
                if capture is not None:
                    capture.show_new_figures()
        finally:
            self.capture = None
        reply = {
            "op": "ran",
            "ok": bool(result.success),
            "errors": self.errors[:3],
            "exit": bool(getattr(self.shell, "exit_requested", False)),
        }
        if capture is not None:
            reply["outputs"] = capture.outputs
        return reply

    def on_get(self, message: dict) -> dict:
        namespace = self.shell.user_ns
        values = {}
        for name in message["names"]:
            if name in GRADER_BUILTINS and namespace.get(name) is self.injected.get(name):
                values[name] = {TAG: "builtin", "name": name}  # IPython's own: the grader's
                continue
            if name in namespace:
                try:
                    values[name] = self._encode(namespace[name])
                except Exception as error:  # too large or too deep: a stand-in, not a crash
                    values[name] = {TAG: "opaque", "type": type(error).__name__,
                                    "repr": _safe_str(error)[:200]}  # fmt: skip
        return {"op": "values", "values": values}

    def on_names(self, message: dict) -> dict:
        return {"op": "names", "names": [str(name) for name in list(self.shell.user_ns)]}

    def on_rng(self, message: dict) -> dict:
        """After a test: the random state it left, for the cells after the check."""
        self._adopt_rng(message.get("rng"))
        return {"op": "rng"}

    def on_call(self, message: dict) -> dict:
        args: list = []
        kwargs: dict = {}
        with self._executing(message) as reply:
            function = self._used(message["id"])
            args = [decode(a, self._resolve) for a in message.get("args", [])]
            kwargs = {k: decode(v, self._resolve) for k, v in message.get("kwargs", {}).items()}
            reply["value"] = self._encode(function(*args, **kwargs))
        # The caller's arrays, lists, dicts and generators as the function left them: a test may
        # check that they were not modified, as it could in one process.
        try:
            reply["args_after"] = [self._mutable(a) for a in args]
            reply["kwargs_after"] = {k: self._mutable(v) for k, v in kwargs.items()}
        except Exception:  # noqa: BLE001 - an argument that no longer encodes: leave it out
            pass
        return reply

    def on_getattr(self, message: dict) -> dict:
        with self._executing(message) as reply:
            reply["value"] = self._encode(getattr(self._used(message["id"]), message["name"]))
        return reply

    def on_setattr(self, message: dict) -> dict:
        with self._executing(message) as reply:
            value = decode(message.get("value"), self._resolve)
            setattr(self._used(message["id"]), message["name"], value)
            reply["value"] = None
        return reply

    def on_import(self, message: dict) -> dict:
        """A test imports the student's own module (``units.py``): it is imported here."""
        with self._executing(message) as reply:
            reply["value"] = self._encode(importlib.import_module(str(message["name"])))
        return reply

    def on_op(self, message: dict) -> dict:
        """An operator on a live object, as Python applies it here (reflected operators, ...)."""
        with self._executing(message) as reply:
            target = self._used(message["id"])
            args = [decode(a, self._resolve) for a in message.get("args", [])]
            reply["value"] = self._encode(OPERATORS[message["name"]](target, *args))
        return reply

    def _used(self, handle: Any) -> Any:
        """The object behind ``handle``, noting its class: a library class whose methods the
        notebook replaced would have decided what the test saw (``on_report``)."""
        target = self.handles[handle]
        self.used_types.add(type(target))
        return target

    def _mutable(self, value: Any) -> Any:
        if isinstance(value, np.ndarray | list | dict):
            return self._encode(value)
        state = state_of(value)
        return {"rng_state": self._encode(state)} if state is not None else None

    def on_report(self, message: dict) -> dict:
        imported = {name.split(".")[0] for name in list(sys.modules)} - self.modules_at_start
        replaced = compare_watched(self.snapshot) + patched_methods(self.used_types)
        return {"op": "report", "replaced": replaced, "imports": sorted(imported)[:200]}

    # -- running student code for a test --------------------------------------------------------

    @contextlib.contextmanager
    def _executing(self, message: dict):
        """Run the student's code for a test as one kernel would: under the test's numpy error
        state, warning filters and random state; what it prints goes back with the reply."""
        reply: dict = {"op": "returned"}
        if "rng" in message:
            self._adopt_rng(message["rng"])
        out, err = BoundedText(), BoundedText()
        self.outputs.append((out, err))
        try:
            with (
                np.errstate(**message.get("errstate", {})),
                warnings.catch_warnings(),
                contextlib.redirect_stdout(out),
                contextlib.redirect_stderr(err),
            ):
                for action, category in reversed(message.get("warnings", [])):
                    kind = getattr(builtins, category, None)
                    if isinstance(kind, type) and issubclass(kind, Warning):
                        warnings.simplefilter(action, kind)
                yield reply
        except BaseException as error:  # noqa: BLE001 - everything the student raises goes back
            reply.clear()
            reply.update(raised(error))
            if type(error).__module__ != "builtins":  # the student's class: the grader's proxy
                with contextlib.suppress(Exception):
                    reply["class"] = self._encode(type(error))
        finally:
            self.outputs.pop()
        for key, text in (("stdout", out.getvalue()), ("stderr", err.getvalue())):
            if text:
                reply[key] = text
        self._moved_rng(reply)

    def _adopt_rng(self, state: Any) -> None:
        with contextlib.suppress(ValueError, TypeError, OverflowError):
            set_rng_state(state)
            self.rng_synced = rng_fingerprint()

    def _moved_rng(self, reply: dict) -> dict:
        """Add this process's random state to ``reply`` if it moved since the grader saw it."""
        now = rng_fingerprint()
        if now != self.rng_synced:
            reply["rng"] = rng_state()
            self.rng_synced = now
        return reply

    # -- values and handles ---------------------------------------------------------------------

    def _encode(self, value: Any) -> Any:
        return encode(value, self._reference)

    def _reference(self, value: Any) -> dict | None:
        """A handle the grader reaches ``value`` through (its proxies call back here)."""
        self.handles[id(value)] = value
        if isinstance(value, types.ModuleType):
            return {TAG: "module", "name": str(value.__name__)[:200], "id": id(value)}
        if isinstance(value, type):
            bases = [[str(b.__module__), str(b.__qualname__)] for b in value.__mro__[1:]
                     if b.__module__ != "__main__" and b is not object]  # fmt: skip
            return {TAG: "cls", "id": id(value), "module": str(value.__module__)[:200],
                    "qualname": str(value.__qualname__)[:200], "bases": bases[:8]}  # fmt: skip
        if isinstance(value, FUNCTION_TYPES):
            name = getattr(value, "__qualname__", type(value).__qualname__)
            return {TAG: "fn", "id": id(value), "name": str(name)[:200]}
        kind = type(value)
        return {TAG: "obj", "id": id(value), "type": display_type(kind),
                "module": str(getattr(kind, "__module__", ""))[:200],
                "qualname": str(getattr(kind, "__qualname__", ""))[:200]}  # fmt: skip

    def _resolve(self, data: dict) -> Any:
        kind = data.get(TAG)
        if kind == "ref":
            return self.handles[data["id"]]
        if kind == "cb":
            return self._callback(int(data["id"]), str(data.get("name", "callback")))
        raise ValueError(f"unknown value tag {kind!r}")

    def _callback(self, handle: int, name: str):
        """A function of the grader's (``np.sin``, a test's lambda), called through the channel."""

        def call_grader(*args, **kwargs):
            message = {
                "op": "callback",
                "id": handle,
                "args": [self._encode(a) for a in args],
                "kwargs": {k: self._encode(v) for k, v in kwargs.items()},
            }
            if self.outputs:  # what was printed so far goes first, in order
                out, err = self.outputs[-1]
                message["stdout"], message["stderr"] = out.take(), err.take()
            self.channel.send(message)
            reply = self.serve(until=("result", "failure"))
            if reply["op"] == "failure":
                raise RuntimeError(f"{name} failed in the grader: {reply.get('message', '')}")
            return decode(reply["value"], self._resolve)

        call_grader.__name__ = call_grader.__qualname__ = name
        return call_grader

    # -- Otter's grader object, as the notebook sees it while graded ----------------------------

    def check(self, question: str) -> CheckResult:
        """``grader.check("q1a")``: the grader runs the test now, against the current values."""
        self.channel.send({"op": "check", "question": str(question)})
        reply = self.serve(until=("checked",))
        if reply.get("missing"):
            raise FileNotFoundError(f"Test {question} does not exist")
        return CheckResult(reply.get("result") or {})


def otter_stub(student: Student) -> types.ModuleType:
    """What ``import otter`` gives a notebook being graded: Otter's grading-mode behaviour.

    ``check`` asks the grader to run the test (Otter runs it there and then, in grading mode);
    ``check_all``, export, PDF and submission calls do nothing, as in Otter's grading mode.
    """
    module = types.ModuleType("otter")

    class Notebook:
        def __init__(self, *args, **kwargs) -> None:
            pass

        @classmethod
        def init_grading_mode(cls, *args, **kwargs) -> None:
            pass

        def check(self, question, global_env=None):
            return student.check(question)

        def check_all(self):
            return None

        def __getattr__(self, name: str):
            return lambda *args, **kwargs: None

    logging = types.ModuleType("otter.logging")
    logging.DEBUG = 10
    logging.set_level = logging.send_logs = lambda *args, **kwargs: None
    module.Notebook, module.logging, module.__version__ = Notebook, logging, "7.0.0"
    return module


def make_shell(student: Student):
    """An IPython shell like a Jupyter kernel's: magics, the inline backend's figure handling.

    Rich output is not computed: figures are closed at the end of each cell as the inline
    backend does, but never rendered (the slowest part of a plotting cell).
    """
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class KernelLikeShell(InteractiveShell):
        exit_requested = False

        def enable_gui(self, gui=None) -> None:  # no event loop: figures go inline
            pass

        def ask_exit(self) -> None:  # exit() ends a kernel: the grader treats the cell as lost
            self.exit_requested = True

        def showtraceback(self, exc_tuple=None, *args, **kwargs) -> None:
            """Record the error's name and message; formatting a traceback costs ~10 ms."""
            etype, evalue, _ = exc_tuple or sys.exc_info()
            name = getattr(etype, "__name__", str(etype))
            student.errors.append(f"{name}: {_safe_str(evalue)[:300]}")
            if student.capture is not None:
                student.capture.add(
                    {
                        "output_type": "error",
                        "ename": str(name)[:200],
                        "evalue": _safe_str(evalue)[:2000],
                        "traceback": [],
                    }
                )

        def showsyntaxerror(self, *args, **kwargs) -> None:
            self.showtraceback()

        def _format_exception_for_storage(self, exception, *args, **kwargs) -> dict:
            """Kept for ``%tb`` only, which nobody runs here: formatting the traceback, as
            IPython does for every failing cell, cost ~40 ms a cell in a mistaken notebook."""
            name = type(exception).__name__
            return {"ename": name, "evalue": _safe_str(exception), "traceback": []}

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    shell = KernelLikeShell(config=config)
    shell.display_formatter.active_types = ["text/plain"]
    sys.modules["otter"] = otter_stub(student)
    sys.modules["otter.logging"] = sys.modules["otter"].logging
    import matplotlib
    from matplotlib_inline.backend_inline import configure_inline_support

    matplotlib.use(INLINE_BACKEND)
    configure_inline_support(shell, INLINE_BACKEND)
    _cheaper_png(shell)
    return shell


def _cheaper_png(shell) -> None:
    """Figures of kept cells as PNG in one drawing (``figure_png``)."""
    from matplotlib.figure import Figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, figure_png)


def figure_png(figure) -> str:
    """A figure as base64 PNG, drawn once. The inline backend's ``bbox_inches="tight"`` (or a
    notebook's ``savefig.bbox`` rc) draws each figure twice, and so does matplotlib for a figure
    whose layout engine is the do-nothing placeholder ``plt.tight_layout()`` leaves behind (its
    layout pass changes nothing); drawing is the whole cost of keeping outputs. Same pixels,
    uncropped margins. (The benchmark's floor draws kept figures with it too.)"""
    import matplotlib
    from IPython.core.pylabtools import print_figure
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    engine = figure.get_layout_engine()
    placeholder = isinstance(engine, PlaceHolderLayoutEngine)
    if placeholder:
        figure._layout_engine = None
    try:
        with matplotlib.rc_context({"savefig.bbox": None}):  # a notebook may ask for "tight"
            return print_figure(figure, fmt="png", base64=True, bbox_inches=None,
                                pil_kwargs={"compress_level": 1})  # fmt: skip
    finally:
        if placeholder:
            figure._layout_engine = engine


def snapshot_watched() -> dict[str, dict[str, int]]:
    """Identity of every public attribute the tests' comparisons could rely on."""
    found = {}
    for name in WATCHED_MODULES:
        module = sys.modules.get(name)
        if module is not None:
            found[name] = {k: id(v) for k, v in vars(module).items() if not k.startswith("_")}
    found["sys.modules"] = {k: id(sys.modules[k]) for k in WATCHED_MODULES if k in sys.modules}
    return found


def compare_watched(snapshot: dict[str, dict[str, int]]) -> list[str]:
    """``module.name`` for every watched attribute replaced or deleted since the snapshot.

    Best effort: the student process may hide its own changes, which is why the grader never
    relies on this process's copies of these functions and also reads the cells' source.
    """
    now = snapshot_watched()
    replaced = []
    for module, before in snapshot.items():
        after = now.get(module, {})
        for name, identity in before.items():
            if module == "builtins" and name in IPYTHON_BUILTINS:
                continue
            if after.get(name) != identity:
                where = f"sys.modules[{name!r}]" if module == "sys.modules" else f"{module}.{name}"
                replaced.append(where)
    return sorted(replaced)


class OutputCapture:
    """A kept cell's outputs in the order a notebook shows them, while it runs: what it prints,
    what it displays (figures as the inline backend shows them, rendered as PNG here only), its
    result and its error. Bounded in this process too, so a reply stays a reasonable message;
    the grader checks and bounds them again (``outputs``): nothing here is trusted."""

    def __init__(self, shell) -> None:
        self.shell = shell
        self.outputs: list[dict] = []
        self.chars = 0
        self._saved: dict[str, Any] = {}
        self._figures_before: set[int] = set()

    def show_new_figures(self) -> None:
        """The figures the cell opened, as the inline backend shows them at the end of a cell
        (this process never flushes figures otherwise: rendering them is the slow part)."""
        from matplotlib._pylab_helpers import Gcf
        from matplotlib_inline.backend_inline import _fetch_figure_metadata

        try:
            for manager in Gcf.get_all_fig_managers():
                figure = manager.canvas.figure
                if id(figure) not in self._figures_before:
                    data, metadata = self.shell.display_formatter.format(figure)
                    metadata.update(_fetch_figure_metadata(figure) or {})
                    self.add({"output_type": "display_data", "data": data, "metadata": metadata})
        except Exception as error:  # noqa: BLE001 - the student's figure failed to draw
            self.add({"output_type": "error", "ename": type(error).__name__,
                      "evalue": _safe_str(error)[:2000], "traceback": []})  # fmt: skip

    def add(self, output: dict) -> None:
        if "data" in output:  # what the formatters gave: PNG as bytes, metadata of any kind
            output = {**output, "data": _mime_bundle(output["data"]),
                      "metadata": _json_or_empty(output.get("metadata"))}  # fmt: skip
        size = sum(map(len, output.get("data", {}).values())) + len(str(output.get("text", "")))
        if len(self.outputs) >= MAX_KEPT_OUTPUTS or self.chars + size > MAX_KEPT_CHARS:
            return
        self.chars += size
        self.outputs.append(output)

    def write(self, name: str, text: str) -> None:
        text = str(text)[: max(0, MAX_KEPT_CHARS - self.chars)]
        if not text:
            return
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last.get("output_type") == "stream" and last["name"] == name:
            last["text"] += text
            self.chars += len(text)
        else:
            self.add({"output_type": "stream", "name": name, "text": text})

    def __enter__(self) -> OutputCapture:
        from IPython.core.displaypub import DisplayPublisher
        from IPython.core.interactiveshell import InteractiveShell

        capture, shell = self, self.shell

        class Publisher(DisplayPublisher):
            def publish(self, data, metadata=None, *args, **kwargs) -> None:
                capture.add({"output_type": "display_data", "data": data,
                             "metadata": metadata or {}})  # fmt: skip

            def clear_output(self, wait=False) -> None:
                capture.outputs.clear()

        from matplotlib._pylab_helpers import Gcf

        self._figures_before = {id(m.canvas.figure) for m in Gcf.get_all_fig_managers()}
        hook = shell.displayhook
        self._saved = {"types": shell.display_formatter.active_types,
                       "pub": shell.display_pub, "instance": InteractiveShell._instance,
                       "streams": (sys.stdout, sys.stderr)}  # fmt: skip
        shell.display_formatter.active_types = list(KEPT_TYPES)
        shell.display_pub = Publisher(shell=shell)
        InteractiveShell._instance = shell  # display() formats and publishes through the shell
        hook.write_output_prompt = lambda: None
        hook.write_format_data = lambda data, metadata=None: capture.add(
            {"output_type": "execute_result", "data": data, "metadata": metadata or {},
             "execution_count": None})  # fmt: skip
        sys.stdout, sys.stderr = _CapturedStream(self, "stdout"), _CapturedStream(self, "stderr")
        return self

    def __exit__(self, *exc) -> None:
        from IPython.core.interactiveshell import InteractiveShell

        saved, shell = self._saved, self.shell
        sys.stdout, sys.stderr = saved["streams"]
        shell.display_formatter.active_types = saved["types"]
        shell.display_pub = saved["pub"]
        InteractiveShell._instance = saved["instance"]
        for name in ("write_output_prompt", "write_format_data"):
            shell.displayhook.__dict__.pop(name, None)


def _mime_bundle(data: Any) -> dict[str, str]:
    """A display's data as JSON: text as text, bytes (a PNG) as base64, anything else left out."""
    bundle: dict[str, str] = {}
    for mime, value in data.items() if isinstance(data, dict) else ():
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        if isinstance(mime, str) and isinstance(value, str):
            bundle[mime] = value
    return bundle


def _json_or_empty(metadata: Any) -> dict:
    import json

    try:
        return json.loads(json.dumps(metadata)) if isinstance(metadata, dict) else {}
    except (TypeError, ValueError, RecursionError):
        return {}


class _CapturedStream(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr`` of a kept cell: into its outputs, in order."""

    def __init__(self, capture: OutputCapture, name: str) -> None:
        self.capture, self.name_ = capture, name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.capture.write(self.name_, text)
        return len(text)


class BoundedText(io.StringIO):
    """What the student's code prints for one request, up to ``MAX_OUTPUT`` characters."""

    def write(self, text: str) -> int:
        room = MAX_OUTPUT - self.tell()
        if room > 0:
            super().write(str(text)[:room])
        return len(text)

    def take(self) -> str:
        """What was written so far, emptying the buffer."""
        text = self.getvalue()
        self.seek(0)
        self.truncate()
        return text


class CheckResult:
    """What ``grader.check`` returns to the notebook while graded: the question's outcome.

    Data only (name, points, whether every test passed); the tests stay with the grader.
    """

    def __init__(self, summary: dict) -> None:
        self.name = str(summary.get("name", ""))
        self.score = float(summary.get("score", 0.0))
        self.possible = float(summary.get("possible", 0.0))
        self.passed_all = bool(summary.get("passed_all", False))
        self.passed_all_public = bool(summary.get("passed_all_public", False))

    @property
    def grade(self) -> float:
        return self.score / self.possible if self.possible else 0.0

    def __repr__(self) -> str:
        return f"{self.name} results: {'All test cases passed!' if self.passed_all else 'failed'}"


def _reversed_operator(function):
    return lambda target, other: function(other, target)


ARITHMETIC = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
              "truediv": operator.truediv, "floordiv": operator.floordiv, "mod": operator.mod,
              "pow": operator.pow, "matmul": operator.matmul, "and": operator.and_,
              "or": operator.or_, "xor": operator.xor, "lshift": operator.lshift,
              "rshift": operator.rshift, "divmod": divmod}  # fmt: skip
OPERATORS = {
    "len": len, "iter": iter, "next": next, "bool": bool, "hash": hash, "repr": repr, "str": str,
    "neg": operator.neg, "pos": operator.pos, "abs": abs, "invert": operator.invert, "int": int,
    "float": float, "complex": complex, "index": operator.index, "reversed": reversed, "dir": dir,
    "type": type, "array": np.asarray, "format": format, "round": round,
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
    "gt": operator.gt, "ge": operator.ge, "contains": operator.contains,
    "getitem": operator.getitem, "setitem": operator.setitem, "delitem": operator.delitem,
    "delattr": delattr,
    "enter": lambda target: type(target).__enter__(target),
    "exit": lambda target, failed: type(target).__exit__(
        target, *((None, None, None) if failed is None else
                  (RuntimeError, RuntimeError(str(failed)), None))),  # fmt: skip
    "instancecheck": lambda cls, value: isinstance(value, cls),
    "subclasscheck": lambda cls, value: issubclass(value, cls),
    **ARITHMETIC,
    **{f"r{name}": _reversed_operator(function) for name, function in ARITHMETIC.items()},
}  # fmt: skip


def display_type(kind: type) -> str:
    """A type's name as a person reads it: ``Dog`` for the notebook's, ``sklearn.LinearRegression``
    for a library's."""
    module = str(getattr(kind, "__module__", "") or "")
    qualname = str(getattr(kind, "__qualname__", "object"))
    name = qualname if module in ("__main__", "builtins") else f"{module.split('.')[0]}.{qualname}"
    return name[:200]


def raised(error: BaseException) -> dict:
    """What the student's code raised, as the grader rebuilds it (``session._exception``)."""
    kind = type(error)
    bases = [base.__name__ for base in kind.__mro__ if base.__module__ == "builtins"]
    return {
        "op": "raised",
        "type": str(getattr(kind, "__qualname__", kind.__name__)),
        "module": str(getattr(kind, "__module__", "")),
        "bases": bases[:10],
        "message": _safe_str(error)[:2000],
    }


def _regular_files(root: Path) -> list[tuple[str, tuple[int, int]]]:
    """(relative path, (size, mtime)) of the regular files under ``root``, links not followed,
    hidden folders (``.matplotlib``, ``.ipynb_checkpoints``) and caches left out."""
    found: list[tuple[str, tuple[int, int]]] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        for name in names:
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                stat = os.lstat(path)
                if S_ISREG(stat.st_mode):
                    found.append((os.path.relpath(path, root), (stat.st_size, stat.st_mtime_ns)))
            if len(found) >= MAX_FILES:
                return found
    return found


def _read_regular(relative: str) -> bytes:
    fd = os.open(relative, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as file:
        if not S_ISREG(os.fstat(file.fileno()).st_mode):
            raise OSError("not a regular file")
        return file.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES]


def patched_methods(kinds: set[type]) -> list[str]:
    """``package.Class.method`` for each method of a library class (one a test used live) that
    the notebook replaced: a function defined in the notebook (module ``__main__``) where the
    library's own stood. Best effort, as ``compare_watched``."""
    found = set()
    for kind in kinds:
        for klass in getattr(kind, "__mro__", ()):
            module = str(getattr(klass, "__module__", "") or "")
            if module in ("__main__", "builtins") or not module:
                continue
            for name, member in list(vars(klass).items()):
                function = getattr(member, "fget", member)  # a property's getter too
                function = getattr(function, "__func__", function)  # static/class methods
                if getattr(function, "__module__", None) == "__main__":
                    found.add(f"{display_type(klass)}.{name}")
    return sorted(found)[:50]


def _safe_str(value: Any) -> str:
    try:
        return str(value)
    except Exception:
        return f"<{type(value).__name__}>"


def _forked_copy(channel: Channel) -> None:
    channel.close()
    with contextlib.suppress(OSError):
        Path("/proc/self/oom_score_adj").write_text(str(FORKED_OOM_SCORE))


def reap_children() -> None:
    """Collect forked copies the grader killed after a cell: a zombie keeps its slot in the
    student user's process limit until its parent, this process, waits for it."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def forget_fonts_in_forks() -> None:
    """The fonts the zygote opened serve this process alone (``zygote.preload``): a process it
    forks opens its own, as matplotlib has every forked child do, since open fonts share file
    offsets with the process that opened them."""
    from matplotlib import font_manager

    os.register_at_fork(after_in_child=font_manager._get_font.cache_clear)


def run_child(student: Student, channel: Channel) -> None:
    """The student process's main: attach the channel, then serve until told to exit."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # too large a file: an OSError, not a kill
    # A process the notebook forks must not answer the grader in this process's place, and
    # goes before this one when memory runs out (a fork bomb's copies, not the notebook).
    os.register_at_fork(after_in_child=lambda: _forked_copy(channel))
    forget_fonts_in_forks()
    np.random.seed(None)  # a fresh kernel's state, not the warm parent's
    random.seed()
    student.modules_at_start = {name.split(".")[0] for name in list(sys.modules)}
    student.channel = channel
    with contextlib.suppress(SystemExit):
        student.serve()
