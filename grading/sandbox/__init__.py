"""Stage 2 of the pipeline: run one submission in an isolated sandbox.

Engines share one method, ``run_submission(image, autograder_zip, submission, out_dir, limits)``,
so the execution step stays swappable. Where podman or docker exists, the mode says how:

- ``warm`` (default): long-lived worker containers; each submission runs in a fresh student
  process inside one, and the tests run outside that process (``worker``);
- ``fresh``: the same worker, one container per submission;
- ``otter``: one container per submission running Otter's own ``otter run``, which scores in
  the student's kernel (the reference the other modes are checked against, not tamper-proof).

Without a container engine only the local namespace engine (``otter`` mode) remains.
"""

from __future__ import annotations

from typing import Protocol

from .containers import ContainerEngine, EngineError
from .limits import Limits
from .local import LocalEngine
from .outcome import SandboxRun
from .warm import WarmEngine

ENGINE_CHOICES = ("auto", "podman", "docker", "local")
MODE_CHOICES = ("warm", "fresh", "otter")


class Engine(Protocol):
    name: str
    isolation: str

    def run_submission(
        self, image, autograder_zip, submission, out_dir, limits, owner: str = ""
    ) -> SandboxRun: ...

    def reap(self, owner: str) -> int: ...


def detect_engine(choice: str = "auto", mode: str = "warm") -> Engine:
    """``auto`` prefers podman, then docker, then the (weaker) local engine."""
    if choice not in ENGINE_CHOICES:
        raise ValueError(f"unknown engine {choice!r}; choose from {', '.join(ENGINE_CHOICES)}")
    if mode not in MODE_CHOICES:
        raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODE_CHOICES)}")
    if choice == "local":
        return LocalEngine.find()
    candidates = ("podman", "docker") if choice == "auto" else (choice,)
    for name in candidates:
        engine = ContainerEngine.find(name)
        if engine is not None:
            return engine if mode == "otter" else WarmEngine(engine, fresh=mode == "fresh")
    if choice != "auto":
        raise EngineError(f"{choice} is not installed or cannot reach its engine")
    return LocalEngine.find()


def container_cli(engine: Engine) -> ContainerEngine:
    """The podman / docker command line behind an engine (to build its image)."""
    return engine.engine if isinstance(engine, WarmEngine) else engine


__all__ = [
    "ENGINE_CHOICES",
    "MODE_CHOICES",
    "ContainerEngine",
    "Engine",
    "EngineError",
    "Limits",
    "LocalEngine",
    "SandboxRun",
    "WarmEngine",
    "container_cli",
    "detect_engine",
]
