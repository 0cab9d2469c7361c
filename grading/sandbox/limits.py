"""Resource limits of one submission's sandbox, the same for every engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from ..errors import UsageError

GRADER_PIDS = 64  # what a sandbox adds to ``pids`` for the grading code around the student's


@dataclass(frozen=True)
class Limits:
    timeout: float = 300.0  # wall-clock seconds for the whole submission
    cell_timeout: float = 60.0  # seconds per notebook cell; an endless cell costs only itself
    memory_mb: int = 2048
    pids: int = 64  # processes and threads of the student's code (a fork bomb's ceiling)
    cpus: float = 1.0
    open_files: int = 1024
    scratch_mb: int = 512  # each writable tmpfs (/tmp, /autograder)

    def __post_init__(self) -> None:
        for field, value in vars(self).items():
            if not value > 0:
                raise UsageError(f"limit {field} must be positive, got {value!r}")


def limits_from(*layers: Mapping[str, float]) -> Limits:
    """The defaults, then each layer over the one before (an assignment's settings, then the
    limits a user set explicitly): each default stays written once, here."""
    merged: dict[str, float] = {}
    for layer in layers:
        merged.update(layer)
    return replace(Limits(), **merged)


DESCRIPTIONS = {  # how ``describe`` words a limit
    "timeout": "{:g} s a submission",
    "cell_timeout": "{:g} s a cell",
    "memory_mb": "{} MB of memory",
    "pids": "{} processes",
    "cpus": "{:g} CPUs",
    "open_files": "{} open files",
    "scratch_mb": "{} MB of scratch",
}


def changed_from_defaults(limits: Limits) -> dict[str, str]:
    """The limits that differ from the defaults, for a person: {"cell_timeout": "120 s a cell"}."""
    defaults = Limits()
    return {
        f.name: DESCRIPTIONS[f.name].format(getattr(limits, f.name))
        for f in fields(Limits)
        if getattr(limits, f.name) != getattr(defaults, f.name)
    }
