"""The grader's side of one student process: requests, callbacks, and the values of its tests.

A test sees copies of the student's data (numbers, arrays, DataFrames, dates...) and proxies
(``proxies``) for what is not data: functions, the student's classes and objects, generators.
Student code that runs for a test (a call, a method, an operator) runs in the student process
under the test's numpy error state, warning filters and random state, and what it prints is
replayed here; its result comes back as data.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import importlib
import importlib.util
import os
import signal
import sys
import time
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import proxies
from .channel import Channel, ChannelClosed, ChannelTimeout, pipe_pair
from .codec import TAG, Opaque, decode, encode
from .sandboxing import ChildLimits, kill_strays, process_states, separate_user
from .shared_state import rng_fingerprint, rng_state, set_rng_state
from .values_numpy import state_of
from .zygote import Zygote

INTERRUPT_GRACE = 3.0
WATCH_SECONDS = 0.5  # how often a running request's processes are counted


class StudentError(Exception):
    """An exception raised in the student process that has no builtin counterpart here."""


class StudentGone(StudentError):
    """The student process died or was stopped; nothing more can be asked of it."""


class OutOfTime(StudentGone):
    """The whole submission's time is up: the student process was stopped."""


class Session:
    """One student process, spawned by the zygote, and the requests the grader sends it."""

    def __init__(
        self,
        zygote: Zygote,
        uid: int,
        scratch: Path,
        limits: ChildLimits,
        call_timeout: float,
        on_check: Callable[[str], dict],
        deadline: float,
    ) -> None:
        ours, theirs = pipe_pair()
        self.uid, self.deadline, self.limits = uid, deadline, limits
        self.pid = zygote.spawn(theirs, uid, scratch, limits)
        for fd in theirs:
            os.close(fd)
        self.channel = Channel(*ours)
        self.call_timeout = call_timeout
        self.on_check = on_check
        self.callbacks: dict[int, Callable] = {}
        self.classes: dict[int, type] = {}  # the student's classes, one proxy class each
        self.live_types: set[str] = set()  # live objects a test used (reset per test by grader)
        self.unfaithful: set[str] = set()  # a test's values that could not cross to the student
        self.rng_seen: int | None = None  # the random state both sides last agreed on
        self.alive = True
        self.sequence = 0
        self.channel_seconds, self._depth = 0.0, 0

    # -- requests -----------------------------------------------------------------------------

    def request(self, message: dict, seconds: float) -> dict:
        """Send ``message`` and serve the student's callbacks and checks until its reply.

        On time out what the request left running is killed and the student interrupted
        (``KeyboardInterrupt`` in its code); if no reply follows within a grace period it is
        killed and ``StudentGone`` raised. Past the whole submission's deadline, ``OutOfTime``.
        """
        if not self.alive:
            raise StudentGone("the student process is no longer running")
        deadline, final = self._deadline(seconds)
        self.sequence += 1
        expected = message["seq"] = self.sequence
        try:
            self.channel.send(message)
            interrupted = False
            while True:
                try:
                    if not self.channel.readable(min(deadline, time.monotonic() + WATCH_SECONDS)):
                        if time.monotonic() < deadline:
                            self._watch()
                            continue
                        raise ChannelTimeout("no reply within the time limit")
                    reply = self.channel.recv(deadline)
                except ChannelTimeout:
                    if final:
                        self.kill()
                        raise OutOfTime("the time for the whole submission is up") from None
                    if interrupted:
                        self.kill()
                        raise StudentGone(f"did not stop within {seconds:g} s") from None
                    self.interrupt()
                    interrupted = True
                    deadline, final = self._deadline(INTERRUPT_GRACE)
                    continue
                op = reply.get("op")
                if op == "callback":
                    self._replay_output(reply)
                    self.channel.send(self._run_callback(reply))
                elif op == "check":
                    result = self.on_check(str(reply.get("question")))
                    self.channel.send({"op": "checked", **result})
                elif reply.get("seq") != expected:  # forged, or an answer to something else
                    self.kill()
                    raise StudentGone(f"broke the protocol (a {str(op)[:20]!r} reply out of turn)")
                else:
                    if interrupted:
                        reply["interrupted"] = True
                    return reply
        except ChannelClosed as error:
            self.alive = False
            raise StudentGone(f"the student process ended ({error})") from None

    def _watch(self) -> None:
        """While a request runs: a student user at its process limit is a fork bomb; stop its
        copies now rather than at the time limit (the request itself goes on)."""
        if not separate_user(self.uid):
            return
        bomb = len(process_states(self.uid, zombies=True)) >= self.limits.processes - 1
        if bomb and not kill_strays(self.uid, keep=self.pid):
            self.kill()

    def _deadline(self, seconds: float) -> tuple[float, bool]:
        """When to stop waiting, and whether that is the whole submission's deadline."""
        now = time.monotonic()
        if now >= self.deadline:
            self.kill()
            raise OutOfTime("the time for the whole submission is up")
        if now + seconds >= self.deadline:
            return self.deadline, True
        return now + seconds, False

    def _run_callback(self, message: dict) -> dict:
        try:
            function = self.callbacks[int(message["id"])]
            args = [self.decode(a) for a in message.get("args", [])]
            kwargs = {k: self.decode(v) for k, v in message.get("kwargs", {}).items()}
            return {"op": "result", "value": self.encode(function(*args, **kwargs))}
        except Exception as error:
            return {"op": "failure", "message": f"{type(error).__name__}: {error}"[:2000]}

    @contextlib.contextmanager
    def _timed(self):
        """Time spent by tests waiting on the student process (nested calls counted once)."""
        self._depth += 1
        started = time.monotonic()
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth:
                self.channel_seconds += time.monotonic() - started

    def values(self, names: list[str]) -> dict[str, Any]:
        with self._timed():
            reply = self.request({"op": "get", "names": names}, self.call_timeout)
        return {name: self.decode(data) for name, data in reply.get("values", {}).items()}

    def names(self) -> list[str]:
        """The notebook's global names, in the student process's order."""
        with self._timed():
            reply = self.request({"op": "names"}, self.call_timeout)
        names = reply.get("names", [])
        return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []

    def call(self, handle: int, name: str, args: tuple, kwargs: dict) -> Any:
        message = {
            "op": "call",
            "id": handle,
            "args": [self.encode(a) for a in args],
            "kwargs": {k: self.encode(v) for k, v in kwargs.items()},
        }
        reply = self._execute(message, None)
        for original, after in zip(args, reply.get("args_after") or [], strict=False):
            _write_back(original, after, self.decode)
        for key, after in (reply.get("kwargs_after") or {}).items():
            _write_back(kwargs.get(key), after, self.decode)
        if reply.get("op") == "returned":
            return self.decode(reply.get("value"))
        raise self._exception(reply, name)

    def getattr(self, handle: int, name: str, type_name: str | None) -> Any:
        message = {"op": "getattr", "id": handle, "name": str(name)}
        return self._result(self._execute(message, type_name), f"{type_name}.{name}")

    def setattr(self, handle: int, name: str, value: Any, type_name: str | None) -> None:
        message = {"op": "setattr", "id": handle, "name": str(name), "value": self.encode(value)}
        self._result(self._execute(message, type_name), f"{type_name}.{name}")

    def op(self, handle: int, op: str, args: tuple, type_name: str | None) -> Any:
        """An operator on a live object (``len(obj)``, ``obj == x``, ``next(gen)``...)."""
        message = {"op": "op", "id": handle, "name": op, "args": [self.encode(a) for a in args]}
        return self._result(self._execute(message, type_name), f"{op} on a {type_name}")

    def import_module(self, name: str) -> int:
        """Import the student's own module ``name`` in the student process: its handle."""
        reply = self._execute({"op": "import", "name": name}, None)
        if reply.get("op") != "returned":
            raise self._exception(reply, f"import {name}")
        value = reply.get("value")
        if not isinstance(value, dict) or type(value.get("id")) is not int:
            raise ImportError(f"No module named {name!r}")
        return value["id"]

    def type_of(self, handle: int, type_name: str | None) -> type:
        found = self.op(handle, "type", (), type_name)
        return found if isinstance(found, type) else proxies.StudentObject

    def _result(self, reply: dict, what: str) -> Any:
        if reply.get("op") == "returned":
            return self.decode(reply.get("value"))
        raise self._exception(reply, what)

    def _exception(self, reply: dict, what: str) -> BaseException:
        """What the student's code raised: an instance of the student's own exception class
        (its proxy class, under its builtin bases) when it is one, else as ``_exception``."""
        error = _exception(reply, what, self.call_timeout)
        if isinstance(reply.get("class"), dict) and not isinstance(error, StudentError):
            with contextlib.suppress(Exception):
                kind = self.decode(reply["class"])
                if isinstance(kind, proxies.StudentClassType) and issubclass(kind, Exception):
                    raised = Exception.__new__(kind, *error.args)
                    Exception.__init__(raised, *error.args)
                    return raised
        return error

    def _execute(self, message: dict, type_name: str | None) -> dict:
        """Run student code for a test: under the test's numpy error state, warning filters and
        random state, with what it prints replayed here (a doctest compares it)."""
        if type_name is not None:
            self.live_types.add(type_name)
        fingerprint = rng_fingerprint()
        if fingerprint != self.rng_seen:
            message["rng"] = rng_state()
        message["errstate"] = dict(np.geterr())
        message["warnings"] = _simple_filters()
        with self._timed():
            reply = self.request(message, self.call_timeout)
        self._replay_output(reply)
        taken = self._take_rng(reply)
        self.rng_seen = fingerprint if taken is None else taken
        return reply

    def _take_rng(self, reply: dict) -> int | None:
        """Adopt the random state the student process sent, if any; its fingerprint."""
        if "rng" not in reply:
            return None
        with contextlib.suppress(ValueError, TypeError, OverflowError):
            set_rng_state(reply["rng"])
        return rng_fingerprint()

    def sync(self) -> dict:
        """Before a test: the files the student's cells wrote since the last test (returned) and
        the random state they left, as the test would see both in Otter's kernel."""
        with self._timed():
            reply = self.request({"op": "sync"}, self.call_timeout)
        taken = self._take_rng(reply)
        self.rng_seen = self.rng_seen if taken is None else taken
        files = reply.get("files")
        return files if isinstance(files, dict) else {}

    def push_rng(self) -> None:
        """After a test: the random state it left goes back, for the cells after the check."""
        fingerprint = rng_fingerprint()
        if fingerprint == self.rng_seen:
            return
        with self._timed():
            self.request({"op": "rng", "rng": rng_state()}, self.call_timeout)
        self.rng_seen = fingerprint

    @staticmethod
    def _replay_output(message: dict) -> None:
        for stream, key in ((sys.stdout, "stdout"), (sys.stderr, "stderr")):
            text = message.get(key)
            if isinstance(text, str) and text:
                stream.write(text)

    # -- values ---------------------------------------------------------------------------------

    def encode(self, value: Any) -> Any:
        return encode(value, self._reference)

    def decode(self, data: Any) -> Any:
        return decode(data, self._resolve)

    def _reference(self, value: Any) -> dict | None:
        handle = proxies.handle_of(value, self)
        if handle is not None:
            return {TAG: "ref", "id": handle}
        if callable(value):
            self.callbacks[id(value)] = value
            return {TAG: "cb", "id": id(value), "name": getattr(value, "__name__", "callback")}
        self.unfaithful.add(type(value).__qualname__)  # a test's object that cannot cross
        return None

    def _resolve(self, data: dict) -> Any:
        kind = data.get(TAG)
        handle = data.get("id")
        if kind == "fn" and type(handle) is int:
            return proxies.StudentFunction(self, handle, str(data.get("name", "function")))
        if kind == "obj" and type(handle) is int:
            module, qualname = str(data.get("module", ""))[:200], str(data.get("qualname", ""))
            kind_of = proxies.object_type(module, qualname[:200] or "object")
            return kind_of(self, handle, str(data.get("type", "object"))[:200])
        if kind == "cls" and type(handle) is int:
            bases = data.get("bases") if isinstance(data.get("bases"), list) else []
            named = [
                (str(b[0]), str(b[1])) for b in bases[:8] if isinstance(b, list) and len(b) == 2
            ]
            return self._class(handle, str(data.get("module", "")), str(data.get("qualname", "")),
                               named)  # fmt: skip
        if kind == "builtin":  # open, exit...: IPython's names, here the grader's own
            return getattr(builtins, str(data.get("name")), None) or Opaque("builtin", "")
        if kind == "module":
            name = str(data.get("name", ""))
            module = grader_module(name)
            if module is not None:
                return module  # the grader's own, untouched copy
            if type(handle) is int:
                return proxies.StudentObject(self, handle, f"module {name}"[:200])
            return Opaque("module", name)
        return Opaque(str(kind), "")

    def _class(self, handle: int, module: str, qualname: str, bases: list) -> type:
        """A library's class is the grader's own; a class of the student's, a proxy class under
        the library and builtin classes it derives from (``pd.DataFrame``, ``ValueError``)."""
        found = grader_class(module, qualname)
        if found is not None:
            return found
        if handle not in self.classes:
            resolved = [grader_class(base_module, base_name) for base_module, base_name in bases]
            kinds = tuple(dict.fromkeys(b for b in resolved if b is not None))
            self.classes[handle] = proxies.student_class(self, handle, module, qualname, kinds)
        return self.classes[handle]

    # -- process control ------------------------------------------------------------------------

    def interrupt(self) -> None:
        """Stop what the student process started (a fork bomb's copies would starve its
        ``KeyboardInterrupt`` handling of CPU and memory), then interrupt it."""
        if not kill_strays(self.uid, keep=self.pid):
            self.kill()
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGINT)

    def kill(self) -> None:
        self.alive = False
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def peak_memory_mb(self) -> float:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def wait_gone(self, seconds: float = 2.0) -> None:
        """Give the killed student process the CPU to exit (it runs at SCHED_IDLE: a busy
        grader would hold its exit up); past ``seconds`` the clean-up deals with it."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and Path(f"/proc/{self.pid}").exists():
            time.sleep(0.001)

    def close(self) -> None:
        if self.alive:
            with contextlib.suppress(ChannelClosed, OSError):
                self.channel.send({"op": "exit"})
        self.kill()
        self.channel.close()


def _write_back(original: Any, after: Any, decode: Callable[[Any], Any]) -> None:
    """Apply in place what the student's function did to a caller's array, list or dict, or
    to the state of a random generator it drew from."""
    if after is None:
        return
    if state_of(original) is not None and isinstance(after, dict) and "rng_state" in after:
        with contextlib.suppress(Exception):  # a malformed state: the generator stays as it was
            state = decode(after["rng_state"])
            if hasattr(original, "bit_generator"):
                original.bit_generator.state = state
            else:
                original.set_state(state)
        return
    if not isinstance(original, np.ndarray | list | dict):
        return
    with contextlib.suppress(Exception):  # a changed shape or type: the copy stays as it was
        value = decode(after)
        if isinstance(original, np.ndarray) and isinstance(value, np.ndarray):
            if original.flags.writeable and not np.array_equal(original, value, equal_nan=True):
                np.copyto(original, value, casting="unsafe")
        elif isinstance(original, list) and isinstance(value, list) and original != value:
            original[:] = value
        elif isinstance(original, dict) and isinstance(value, dict) and original != value:
            original.clear()
            original.update(value)


def _simple_filters() -> list[tuple[str, str]]:
    """The warning filters in force here that name a builtin category (``simplefilter``)."""
    found = []
    for action, message, category, module, _lineno in warnings.filters:
        if message is None and module is None and getattr(builtins, category.__name__, None):
            found.append((action, category.__name__))
    return found[:20]


def _exception(reply: dict, name: str, seconds: float) -> Exception:
    """The exception to raise in the test for what the student's code raised: the builtin
    exception of that name, or, for a class of the student's (``class BadInput(ValueError)``),
    a class of the same name under its nearest builtin base, so that ``except ValueError`` and
    doctest's ``BadInput: ...`` line match as in one process."""
    kind, message = str(reply.get("type", ""))[:200], str(reply.get("message", ""))
    if reply.get("interrupted") or kind == "KeyboardInterrupt":
        return StudentError(f"{name} did not return within {seconds:g} s")
    builtin = _builtin_exception(kind)
    if builtin is not None:
        with contextlib.suppress(Exception):
            return builtin(message)
    bases = reply.get("bases") if isinstance(reply.get("bases"), list) else []
    base = next((b for b in map(_builtin_exception, bases) if b is not None), StudentError)
    module = str(reply.get("module") or "__main__")[:200]
    return _exception_class(module, kind or "Exception", base)(message)


def _builtin_exception(name: Any) -> type[Exception] | None:
    found = getattr(builtins, str(name), None)
    if isinstance(found, type) and issubclass(found, Exception):
        return found
    return None


@functools.cache
def _exception_class(module: str, qualname: str, base: type[Exception]) -> type[Exception]:
    name = qualname.rsplit(".", 1)[-1] or "Exception"
    return type(name, (base,), {"__module__": module, "__qualname__": qualname})


def grader_module(name: str) -> Any:
    """The grader's own copy of a library module the student's code refers to, or None for a
    module only the student process has (its own files). Imported from the grader's path only:
    the student's folder is never on it."""
    if not name or not all(part.isidentifier() for part in name.split(".")):
        return None
    if name in sys.modules:
        return sys.modules[name]
    try:
        if importlib.util.find_spec(name.split(".")[0]) is None:
            return None
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a module that does not import here: the student's
        return None


UNNAMED_BUILTIN_TYPES = {t.__name__: t for t in vars(types).values() if isinstance(t, type)}


def grader_class(module: str, qualname: str) -> type | None:
    """The grader's own class ``module.qualname`` (a library's), or None (the student's)."""
    if module == "__main__":
        return None
    if module == "builtins" and not hasattr(builtins, qualname):  # generator, function...
        return UNNAMED_BUILTIN_TYPES.get(qualname)
    found = grader_module(module)
    for part in qualname.split(".") if found is not None else ():
        if part == "<locals>":
            return None
        found = getattr(found, part, None)
    return found if isinstance(found, type) else None
