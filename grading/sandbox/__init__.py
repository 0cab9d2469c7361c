"""Stage 2 of the pipeline: run one submission in an isolated sandbox.

Engines share one method, ``run_submission(image, autograder_zip, submission, out_dir, limits)``,
so the execution step stays swappable: podman or docker containers from the grading image, or
the local namespace engine where neither exists.
"""

from __future__ import annotations

from typing import Protocol

from .containers import ContainerEngine, EngineError
from .limits import Limits
from .local import LocalEngine
from .outcome import SandboxRun

ENGINE_CHOICES = ("auto", "podman", "docker", "local")


class Engine(Protocol):
    name: str
    isolation: str

    def run_submission(
        self, image, autograder_zip, submission, out_dir, limits, owner: str = ""
    ) -> SandboxRun: ...

    def reap(self, owner: str) -> int: ...


def detect_engine(choice: str = "auto") -> Engine:
    """``auto`` prefers podman, then docker, then the (weaker) local engine."""
    if choice not in ENGINE_CHOICES:
        raise ValueError(f"unknown engine {choice!r}; choose from {', '.join(ENGINE_CHOICES)}")
    if choice == "local":
        return LocalEngine.find()
    candidates = ("podman", "docker") if choice == "auto" else (choice,)
    for name in candidates:
        engine = ContainerEngine.find(name)
        if engine is not None:
            return engine
    if choice != "auto":
        raise EngineError(f"{choice} is not installed or cannot reach its engine")
    return LocalEngine.find()


__all__ = [
    "ENGINE_CHOICES",
    "ContainerEngine",
    "Engine",
    "EngineError",
    "Limits",
    "LocalEngine",
    "SandboxRun",
    "detect_engine",
]
