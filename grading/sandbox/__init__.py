"""Stage 2 of the pipeline: run one submission in an isolated sandbox.

Engines share one method, ``run_submission(image, autograder_zip, submission, out_dir, limits,
owner, files)``, so the execution step stays swappable; ``files`` (name -> path) are what the
student handed in beside the notebook, laid out in the submission's folder as ``otter run``
does. Where podman or docker exists, the mode says how:

- ``warm`` (default): long-lived worker containers; each submission runs in a fresh student
  process inside one, and the tests run outside that process (``worker``);
- ``fresh``: the same worker, one container per submission;
- ``otter``: one container per submission running Otter's own ``otter run``, which scores in
  the student's kernel (the reference the other modes are checked against, not tamper-proof).

Without a container engine, ``local`` runs the same warm worker on this host in the strongest
sandbox it allows (``host``: isolation ``strong``, ``namespaces`` or ``process``); ``--mode otter``
with ``local`` is ``otter run`` in namespaces, the reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from ..errors import UsageError
from .containers import ContainerEngine, EngineError
from .host import HostLauncher
from .limits import Limits
from .local import LocalEngine
from .outcome import SandboxRun
from .warm import WarmEngine

ENGINE_CHOICES = ("auto", "podman", "docker", "local")
MODE_CHOICES = ("warm", "fresh", "otter")


class Engine(Protocol):
    name: str
    isolation: str  # recorded with every result: "container", "strong", "namespaces", ...
    image_engine: ContainerEngine | None  # builds the grading image; None where none is used

    def run_submission(
        self,
        image,
        autograder_zip,
        submission,
        out_dir,
        limits,
        owner: str = "",
        files: Mapping[str, Path] | None = None,
        keep_outputs: Sequence[str] | None = None,
    ) -> SandboxRun:
        """``image``: the environment to grade in (``environment.assignment_environment``): the
        grading image's tag or an assignment's layer over it; on the host None (this Python)
        or the Python of the assignment's venv. ``files``: what the student submitted beside
        the notebook (name -> path), put beside it. ``keep_outputs``: the ids of the cells of
        hand-graded questions whose outputs the warm worker keeps (None: Otter's BEGIN/END
        QUESTION regions of the notebook); ``otter run`` engines keep the executed notebook
        instead, whose outputs the host reads (``results.executed_outputs``)."""
        ...

    def reap(self, owner: str) -> int: ...

    def close(self) -> None: ...


def detect_engine(choice: str = "auto", mode: str = "warm") -> Engine:
    """``auto`` prefers podman, then docker, then this host."""
    if choice not in ENGINE_CHOICES:
        raise UsageError(f"unknown engine {choice!r}; choose from {', '.join(ENGINE_CHOICES)}")
    if mode not in MODE_CHOICES:
        raise UsageError(f"unknown mode {mode!r}; choose from {', '.join(MODE_CHOICES)}")
    if choice != "local":
        candidates = ("podman", "docker") if choice == "auto" else (choice,)
        for name in candidates:
            engine = ContainerEngine.find(name)
            if engine is not None:
                return engine if mode == "otter" else WarmEngine(engine, fresh=mode == "fresh")
        if choice != "auto":
            raise EngineError(f"{choice} is not installed or cannot reach its engine")
    if mode == "otter":
        return LocalEngine.find()
    return WarmEngine(HostLauncher(), fresh=mode == "fresh")


def otter_engine_like(engine: Engine) -> Engine:
    """The engine that runs ``otter run`` in the same kind of sandbox as ``engine``: for the
    questions a warm worker could not grade faithfully (``grading.fallback``)."""
    if isinstance(engine, ContainerEngine | LocalEngine):
        return engine
    container = engine.image_engine or getattr(engine, "container_engine", None)
    if isinstance(container, ContainerEngine):
        return container
    name = getattr(engine, "container", None)  # the grading service names its CLI
    found = ContainerEngine.find(name) if name else None
    return found if found is not None else LocalEngine.find()


__all__ = [
    "ENGINE_CHOICES",
    "MODE_CHOICES",
    "ContainerEngine",
    "HostLauncher",
    "Engine",
    "EngineError",
    "Limits",
    "LocalEngine",
    "SandboxRun",
    "WarmEngine",
    "detect_engine",
    "otter_engine_like",
]
