"""The student process: executes a notebook's cells and answers the grader's requests.

Everything here runs as the student's user, after ``sandboxing.drop_privileges``. It is trusted
with nothing: it never sees a test, and what it sends back is data the grader checks.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import os
import random
import signal
import sys
import types
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .channel import Channel
from .codec import TAG, decode, encode
from .sandboxing import FORKED_OOM_SCORE

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
WATCHED_MODULES = ("builtins", "math", "numpy", "numpy.testing", "numpy.linalg")
IPYTHON_BUILTINS = {"exit", "quit", "get_ipython", "display"}


class Student:
    """One notebook's execution state and the request loop over its channel.

    Built once in the zygote (the IPython shell costs ~25 ms), so every student process starts
    from a copy of the same pristine object and only attaches its channel.
    """

    def __init__(self) -> None:
        self.channel: Channel | None = None
        self.handles: dict[int, Any] = {}
        self.errors: list[str] = []
        self.shell = make_shell(self)
        self.snapshot = snapshot_watched()

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
            self.channel.send(reply)

    def on_setup(self, message: dict) -> dict:
        for relative, content in message.get("files", {}).items():
            path = Path(relative)
            if path.is_absolute() or ".." in path.parts:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(content))
        return {"op": "ready"}

    def on_run(self, message: dict) -> dict:
        """Run one cell. Output goes nowhere (the process's stdout is /dev/null): only the
        values are graded, and the student's own notebook keeps its outputs and figures."""
        self.errors = []
        reap_children()
        result = self.shell.run_cell(message["source"], store_history=True)
        return {
            "op": "ran",
            "ok": bool(result.success),
            "errors": self.errors[:3],
            "exit": bool(getattr(self.shell, "exit_requested", False)),
        }

    def on_get(self, message: dict) -> dict:
        namespace = self.shell.user_ns
        values = {}
        for name in message["names"]:
            if name in namespace:
                try:
                    values[name] = self._encode(namespace[name])
                except Exception as error:  # too large or too deep: a stand-in, not a crash
                    values[name] = {TAG: "opaque", "type": type(error).__name__,
                                    "repr": _safe_str(error)[:200]}  # fmt: skip
        return {"op": "values", "values": values}

    def on_call(self, message: dict) -> dict:
        args: list = []
        kwargs: dict = {}
        try:
            function = self.handles[message["id"]]
            args = [decode(a, self._resolve) for a in message.get("args", [])]
            kwargs = {k: decode(v, self._resolve) for k, v in message.get("kwargs", {}).items()}
            with np.errstate(**message.get("errstate", {})), warnings.catch_warnings():
                for action, category in reversed(message.get("warnings", [])):
                    kind = getattr(builtins, category, None)
                    if isinstance(kind, type) and issubclass(kind, Warning):
                        warnings.simplefilter(action, kind)
                value = function(*args, **kwargs)
            reply = {"op": "returned", "value": self._encode(value)}
        except BaseException as error:  # noqa: BLE001 - everything the student raises goes back
            reply = {
                "op": "raised",
                "type": type(error).__name__,
                "message": _safe_str(error)[:2000],
            }
        # The caller's arrays, lists and dicts as the function left them: a test may check
        # that they were not modified, as it could in one process.
        try:
            reply["args_after"] = [self._mutable(a) for a in args]
            reply["kwargs_after"] = {k: self._mutable(v) for k, v in kwargs.items()}
        except Exception:  # noqa: BLE001 - an argument that no longer encodes: leave it out
            pass
        return reply

    def _mutable(self, value: Any) -> Any:
        return self._encode(value) if isinstance(value, np.ndarray | list | dict) else None

    def on_report(self, message: dict) -> dict:
        return {"op": "report", "replaced": compare_watched(self.snapshot)}

    # -- values and handles ---------------------------------------------------------------------

    def _encode(self, value: Any) -> Any:
        return encode(value, self._reference)

    def _reference(self, value: Any) -> dict | None:
        if isinstance(value, types.ModuleType):
            return {TAG: "module", "name": value.__name__}
        if callable(value):
            self.handles[id(value)] = value
            name = getattr(value, "__qualname__", type(value).__qualname__)
            return {TAG: "fn", "id": id(value), "name": str(name)[:200]}
        return None

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
            self.channel.send(
                {
                    "op": "callback",
                    "id": handle,
                    "args": [self._encode(a) for a in args],
                    "kwargs": {k: self._encode(v) for k, v in kwargs.items()},
                }
            )
            reply = self.serve(until=("result", "failure"))
            if reply["op"] == "failure":
                raise RuntimeError(f"{name} failed in the grader: {reply.get('message', '')}")
            return decode(reply["value"], self._resolve)

        call_grader.__name__ = call_grader.__qualname__ = name
        return call_grader

    # -- Otter's grader object, as the notebook sees it while graded ----------------------------

    def check(self, question: str) -> None:
        """``grader.check("q1a")``: the grader runs the test now, against the current values."""
        self.channel.send({"op": "check", "question": str(question)})
        self.serve(until=("checked",))

    def check_all(self) -> None:
        self.channel.send({"op": "check_all"})
        self.serve(until=("checked",))


def otter_stub(student: Student) -> types.ModuleType:
    """What ``import otter`` gives a notebook being graded: Otter's grading-mode behaviour.

    ``check`` asks the grader to run the test (Otter runs it there and then, in grading mode);
    export, PDF and submission calls do nothing, as in grading mode.
    """
    module = types.ModuleType("otter")

    class Notebook:
        def __init__(self, *args, **kwargs) -> None:
            pass

        @classmethod
        def init_grading_mode(cls, *args, **kwargs) -> None:
            pass

        def check(self, question, global_env=None):
            student.check(question)

        def check_all(self):
            student.check_all()

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
    return shell


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
    student.channel = channel
    with contextlib.suppress(SystemExit):
        student.serve()
