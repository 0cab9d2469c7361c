"""Resource limits of one submission's sandbox, the same for every engine."""

from __future__ import annotations

from dataclasses import dataclass

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
