"""A private root for a worker that runs on the host (no container engine).

Run as (namespace-)root in a new mount, PID and network namespace (``unshare``), before anything
else: the worker then sees a fresh tmpfs as ``/`` holding read-only binds of the system folders
and of this Python, an empty ``/tmp``, a fresh ``/proc`` and a few device nodes. The host's home
folders, the instructor's repository with its hidden tests, other submissions and the gradebook
are not in it: nothing of the host is left to read but the operating system and the interpreter,
as in the grading image. Uses util-linux's ``mount``, ``umount`` and ``pivot_root``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

SYSTEM = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
DEVICES = ("null", "zero", "full", "random", "urandom")
OLD_ROOT = ".old-root"


def python_folders() -> list[str]:
    """Where this interpreter, its standard library and its installed packages live.

    Not ``sys.path``: it may hold the current folder (the instructor's repository).
    """
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.update(sysconfig.get_paths().values())
    real = {str(Path(p).resolve()) for p in paths if p and Path(p).exists()}
    return _outermost(sorted(real | {p for p in paths if p and Path(p).exists()}))


def _outermost(paths: list[str]) -> list[str]:
    """Drop every path that lies inside another one of the list."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True)


def _bind(source: str, root: Path, *, read_only: bool = True) -> None:
    if os.path.islink(source):  # merged /usr: /bin -> usr/bin
        target = root / source.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_symlink():
            target.symlink_to(os.readlink(source))
        return
    if not os.path.exists(source):
        return
    target = root / source.lstrip("/")
    if os.path.isdir(source):
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    _run("mount", "--rbind", source, str(target))
    if read_only:
        _run("mount", "-o", "remount,bind,ro,nosuid,nodev", str(target))


def enter_private_root(keep: list[str], root: str, tmp_mb: int) -> None:
    """Replace ``/`` by a tmpfs with only ``SYSTEM``, this Python and ``keep`` bound read-only."""
    new = Path(root)
    new.mkdir(parents=True, exist_ok=True)
    _run("mount", "--make-rprivate", "/")
    _run("mount", "-t", "tmpfs", "-o", "mode=0755,size=16m", "grading-root", str(new))
    for source in _outermost([*SYSTEM, *python_folders(), *keep]):
        _bind(source, new)
    (new / "dev").mkdir()
    _run("mount", "-t", "tmpfs", "-o", "mode=0755,size=1m,nosuid", "dev", str(new / "dev"))
    for name in DEVICES:
        _bind(f"/dev/{name}", new, read_only=False)
    for folder, mode in (
        ("tmp", "1777"),
        ("dev/shm", "1777"),
        ("var/tmp", "1777"),
        ("grading", "0700"),
    ):
        (new / folder).mkdir(parents=True, exist_ok=True)
        _run("mount", "-t", "tmpfs", "-o", f"mode={mode},size={tmp_mb}m,nosuid,nodev",
             "tmp", str(new / folder))  # fmt: skip
    (new / "proc").mkdir()
    (new / OLD_ROOT).mkdir()
    _run("mount", "-t", "proc", "-o", "nosuid,nodev,noexec", "proc", str(new / "proc"))
    os.chdir(new)
    _run("pivot_root", ".", OLD_ROOT)
    os.chdir("/")
    _run("umount", "-l", f"/{OLD_ROOT}")
    os.rmdir(f"/{OLD_ROOT}")
    _run("mount", "-o", "remount,ro,bind", "/")
