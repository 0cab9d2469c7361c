"""The grader's side of one student process: requests, callbacks, and proxies to its values.

A test sees plain copies of the student's data and ``StudentFunction`` proxies for its
functions; a call runs in the student process under the caller's numpy error state and warning
filters (the stability tests rely on both) and its result comes back as data.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import os
import signal
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .channel import Channel, ChannelClosed, ChannelTimeout, pipe_pair
from .codec import TAG, Opaque, decode, encode
from .sandboxing import ChildLimits, kill_strays, process_states, separate_user
from .zygote import Zygote

SHARED_MODULES = {"numpy", "math", "cmath", "scipy", "random", "statistics", "fractions"}
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
        on_check: Callable[[str | None], None],
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
                    self.channel.send(self._run_callback(reply))
                elif op in ("check", "check_all"):
                    self.on_check(reply.get("question") if op == "check" else None)
                    self.channel.send({"op": "checked"})
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

    def call(self, handle: int, name: str, args: tuple, kwargs: dict) -> Any:
        message = {
            "op": "call",
            "id": handle,
            "args": [self.encode(a) for a in args],
            "kwargs": {k: self.encode(v) for k, v in kwargs.items()},
            "errstate": {k: v for k, v in np.geterr().items()},
            "warnings": _simple_filters(),
        }
        with self._timed():
            reply = self.request(message, self.call_timeout)
        for original, after in zip(args, reply.get("args_after") or [], strict=False):
            _write_back(original, after, self.decode)
        for key, after in (reply.get("kwargs_after") or {}).items():
            _write_back(kwargs.get(key), after, self.decode)
        if reply.get("op") == "returned":
            return self.decode(reply.get("value"))
        raise _exception(reply, name, self.call_timeout)

    # -- values ---------------------------------------------------------------------------------

    def encode(self, value: Any) -> Any:
        return encode(value, self._reference)

    def decode(self, data: Any) -> Any:
        return decode(data, self._resolve)

    def _reference(self, value: Any) -> dict | None:
        if isinstance(value, StudentFunction) and value.session is self:
            return {TAG: "ref", "id": value.handle}
        if callable(value):
            self.callbacks[id(value)] = value
            return {TAG: "cb", "id": id(value), "name": getattr(value, "__name__", "callback")}
        return None

    def _resolve(self, data: dict) -> Any:
        kind = data.get(TAG)
        if kind == "fn":
            return StudentFunction(self, int(data["id"]), str(data.get("name", "function")))
        if kind == "module":
            name = str(data.get("name", ""))
            if name.split(".")[0] in SHARED_MODULES:
                with contextlib.suppress(ImportError):
                    return importlib.import_module(name)  # the grader's own, untouched copy
            return Opaque("module", name)
        return Opaque(str(kind), "")

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

    def close(self) -> None:
        if self.alive:
            with contextlib.suppress(ChannelClosed, OSError):
                self.channel.send({"op": "exit"})
        self.kill()
        self.channel.close()


class StudentFunction:
    """A function that lives in the student process; calling it is a request."""

    def __init__(self, session: Session, handle: int, name: str) -> None:
        self.session, self.handle, self.__name__ = session, handle, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.session.call(self.handle, self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"


class StudentNamespace(dict):
    """The notebook's global names as Otter's test functions read them (``env.get(name)``)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def get(self, name: str, default: Any = None) -> Any:
        return self.session.values([name]).get(name, default)

    def __getitem__(self, name: str) -> Any:
        found = self.session.values([name])
        if name not in found:
            raise KeyError(name)
        return found[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.session.values([name])


def _write_back(original: Any, after: Any, decode: Callable[[Any], Any]) -> None:
    """Apply in place what the student's function did to a caller's array, list or dict."""
    if after is None or not isinstance(original, np.ndarray | list | dict):
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
    """The exception to raise in the test for what the student's function raised."""
    kind, message = str(reply.get("type", "")), str(reply.get("message", ""))
    if reply.get("interrupted") or kind == "KeyboardInterrupt":
        return StudentError(f"{name} did not return within {seconds:g} s")
    builtin = getattr(builtins, kind, None)
    if isinstance(builtin, type) and issubclass(builtin, Exception):
        with contextlib.suppress(Exception):
            return builtin(message)
    return StudentError(f"{kind}: {message}")
