"""A private root for a worker that runs on the host (no container engine).

Run as (namespace-)root in a new mount, PID and network namespace (``unshare``), before anything
else: the worker then sees a fresh tmpfs as ``/`` holding read-only binds of the system folders
and of this Python's environment, an empty ``/tmp``, a fresh ``/proc`` and a few device nodes.
The host's home folders, the instructor's repository with its hidden tests, other submissions
and the gradebook are not in it: nothing of the host is left to read but the operating system
and the interpreter with its packages, as in the grading image. Uses util-linux's ``mount``,
``umount`` and ``pivot_root``.

The environment is bound wherever it lives, ``/tmp`` included (a clone under ``/tmp`` with its
``.venv``): the empty scratch folders are mounted first and the environment's folders on top.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

SYSTEM = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
DEVICES = ("null", "zero", "full", "random", "urandom")
SCRATCH = (("tmp", "1777"), ("dev/shm", "1777"), ("var/tmp", "1777"), ("grading", "0700"))
RESERVED = ("/proc", "/grading")  # the root's own: nothing of the host may be bound there
OLD_ROOT = ".old-root"


class EnvironmentRefused(SystemExit):
    """This Python's environment cannot be shown to student code without showing more."""


def python_folders() -> list[str]:
    """Where this interpreter, its standard library and every package it imports live: the
    prefixes (a venv's and its base interpreter's), ``sysconfig``'s paths, ``sys.path`` (its
    site-packages and what ``.pth`` files add) and the folders editable installs map to.

    The worker runs with ``-P`` and ``PYTHONPATH`` set to its own package, so ``sys.path`` holds
    no current folder; the caller still leaves out a folder that holds it (``_bindable``).
    """
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.update(sysconfig.get_paths().values())
    paths.update(p for p in sys.path if p)
    paths.update(editable_folders())
    real = {str(Path(p).resolve()) for p in paths if p and Path(p).exists()}
    return _outermost(sorted(real | {os.path.abspath(p) for p in paths if p and Path(p).exists()}))


def editable_folders() -> list[str]:
    """The package folders that editable installs' import hooks point at: setuptools'
    ``__editable___*_finder`` modules (``MAPPING``, ``NAMESPACES``) and the ``editables``
    redirector that hatchling uses. They are not on ``sys.path``, yet imports read them."""
    folders: list[str] = []
    for name, module in list(sys.modules.items()):
        if name.startswith("__editable__") and name.endswith("_finder"):
            folders += list(getattr(module, "MAPPING", {}).values())
            for paths in getattr(module, "NAMESPACES", {}).values():
                folders += list(paths)
    for finder in sys.meta_path:
        for path in getattr(finder, "_redirections", {}).values():
            folders.append(os.path.dirname(path) if path.endswith(".py") else path)
    return folders


def _outermost(paths: list[str]) -> list[str]:
    """Drop every path that lies inside another one of the list."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(_inside(path, k) for k in kept):
            kept.append(path)
    return kept


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _bindable(folders: list[str], root: str, working: str, keep: Sequence[str] = ()) -> list[str]:
    """``folders`` less those the system binds cover and those that hold the working folder
    (a repository on ``sys.path``: the worker needs nothing of it, and its tests must stay out),
    plus ``keep`` (the worker's own package) in any case; a folder that would show the sandbox's
    own folder or the host's temporary files refuses."""
    kept = []
    for folder in _outermost([*SYSTEM, *folders, *keep]):
        if folder in SYSTEM:
            continue
        if _inside(root, folder) or any(_inside(folder, r) for r in RESERVED):
            raise EnvironmentRefused(
                f"refusing to start: this Python's environment includes {folder}, which the "
                f"host sandbox cannot show to student code without also showing {root} (the "
                "sandbox's own folder, beside every other temporary file of this host) or "
                "hiding the sandbox's own mounts; install Python or the venv in a folder of its "
                "own, or grade with a container engine"
            )
        if _inside(working, folder):
            print(f"left out of the sandbox: {folder} (it holds {working})", file=sys.stderr)
            continue
        kept.append(folder)
    left_out = [k for k in keep if not any(_inside(k, folder) for folder in kept)]
    return _outermost(kept + [k for k in left_out if not _covered_by_system(k)])


def _covered_by_system(path: str) -> bool:
    return any(_inside(path, folder) for folder in SYSTEM)


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
    """Replace ``/`` by a tmpfs with only ``SYSTEM``, this Python's environment and ``keep``
    bound read-only, over empty scratch folders."""
    new = Path(root)
    environment = _bindable(python_folders(), str(new.resolve()), os.getcwd(), keep)
    new.mkdir(parents=True, exist_ok=True)
    _run("mount", "--make-rprivate", "/")
    _run("mount", "-t", "tmpfs", "-o", "mode=0755,size=16m", "grading-root", str(new))
    for source in _outermost(list(SYSTEM)):
        _bind(source, new)
    (new / "dev").mkdir()
    _run("mount", "-t", "tmpfs", "-o", "mode=0755,size=1m,nosuid", "dev", str(new / "dev"))
    for name in DEVICES:
        _bind(f"/dev/{name}", new, read_only=False)
    for folder, mode in SCRATCH:
        (new / folder).mkdir(parents=True, exist_ok=True)
        _run("mount", "-t", "tmpfs", "-o", f"mode={mode},size={tmp_mb}m,nosuid,nodev",
             "tmp", str(new / folder))  # fmt: skip
    for source in environment:  # after the scratch folders: a venv under /tmp stays visible
        _bind(source, new)
    (new / "proc").mkdir()
    (new / OLD_ROOT).mkdir()
    _run("mount", "-t", "proc", "-o", "nosuid,nodev,noexec", "proc", str(new / "proc"))
    os.chdir(new)
    _run("pivot_root", ".", OLD_ROOT)
    os.chdir("/")
    _run("umount", "-l", f"/{OLD_ROOT}")
    os.rmdir(f"/{OLD_ROOT}")
    _run("mount", "-o", "remount,ro,bind", "/")
