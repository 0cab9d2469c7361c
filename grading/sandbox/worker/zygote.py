"""A warm, pristine parent for student processes, forked before any test or submission is read.

Forking each student process from the grader would hand it the grader's memory: the hidden
tests, the previous submission. The zygote is forked once, right after the heavy imports, and
only ever forks: a student process starts from the imports and nothing else.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gc
import importlib
import io
import json
import os
import re
import shutil
import signal
import socket
import stat
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

from .channel import Channel
from .sandboxing import ChildLimits, drop_privileges

CHANNEL_FDS = 100  # the student's ends of the channel: at or above this descriptor
READY = b"R"  # the zygote's first byte: warmed up


# What notebooks commonly import and are slow to: imported for an assignment not graded yet.
COMMON_PACKAGES = ("scipy.integrate", "scipy.optimize", "scipy.special", "pandas", "seaborn")


def preload(packages: list[str] | None = None) -> None:
    """Import what notebooks use, once, in the warm parent (~1 s that no student process pays).

    ``packages``: what most of this assignment's notebooks were seen to import
    (``importable_packages``); None for an assignment not seen yet, which gets
    ``COMMON_PACKAGES``. Every student process needs numpy, matplotlib's inline backend and
    IPython (its shell): those always. Importing only what the assignment uses is most of a
    cold worker's start (scipy and pandas ~0.5 s).
    """
    single_threaded_libraries()
    _font_list_from_image()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    _keep_fonts_for_children()
    import matplotlib_inline.backend_inline  # noqa: F401
    import numpy  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell  # noqa: F401

    for name in COMMON_PACKAGES if packages is None else packages:
        with contextlib.suppress(Exception):  # a package that fails to import: the student's
            importlib.import_module(name)
    if packages is None or "matplotlib" in {name.split(".")[0] for name in packages}:
        _draw_one_figure(matplotlib.pyplot)


def single_threaded_libraries() -> None:
    """One thread for the numerical libraries loaded from here on (a worker is given one CPU,
    and ``serve`` calls this before numpy is imported), and matplotlib without a display."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ["MPLBACKEND"] = "Agg"


def _font_list_from_image() -> None:
    """The font list the image build made (``Containerfile``), copied into this worker's empty
    cache folder: matplotlib would otherwise scan every font at each worker start (~0.5 s)."""
    built = Path(__file__).resolve().parent.parent / "matplotlib"  # /opt/grader/matplotlib
    target = Path(os.environ.get("MPLCONFIGDIR") or "/nonexistent")
    if not built.is_dir() or not target.is_absolute() or any(target.glob("fontlist-*.json")):
        return
    with contextlib.suppress(OSError):
        target.mkdir(parents=True, exist_ok=True)
        for font_list in built.glob("fontlist-*.json"):
            shutil.copyfile(font_list, target / font_list.name)


def _keep_fonts_for_children() -> None:
    """Matplotlib empties its cache of open fonts in every forked child (a child's font objects
    share the parent's file offsets), so each student process re-opened and re-parsed the same
    font files, ~0.1 s of a notebook with figures. The zygote never draws after it forks and a
    worker runs one student process at a time, so the fonts the zygote opened are safe to use
    in its child; the student process empties this cache in whatever it forks itself
    (``student.run_child``). Same fonts, same metrics: what student code sees is unchanged."""
    from matplotlib import font_manager

    font_manager._get_font = functools.lru_cache(64)(font_manager._get_font.__wrapped__)


def _draw_one_figure(plt) -> None:
    """Draw a figure once: fonts, the mathtext parser (log-scale tick labels) and glyph caches
    are then warm in every child. Once: a layout pass (``tight_layout``) or a second draw warms
    nothing more, and the whole draw is on a cold start's path (~0.1 s a pass)."""
    import matplotlib.image

    fig, axes = plt.subplots(1, 2, figsize=(6, 3))
    for ax in axes:
        ax.plot([1, 2, 3], [1, 4, 9], label="y = x²")
        ax.semilogy([1, 2, 3], [1, 10, 100])
        ax.set_title("f'(x)")
        ax.set_xlabel("x")
        ax.legend()
    fig.canvas.draw()
    # The PNG of a kept cell's figure (``student.figure_png``): its encoder, from what is drawn.
    from IPython.core import display_functions, displaypub, pylabtools  # noqa: F401

    pixels = fig.canvas.buffer_rgba()
    matplotlib.image.imsave(io.BytesIO(), pixels, format="png", pil_kwargs={"compress_level": 1})
    plt.close("all")


class Zygote:
    """The grader's handle on the zygote process: ``spawn`` returns a new student's pid."""

    def __init__(self, pid: int, sock: socket.socket) -> None:
        self.pid, self.sock = pid, sock
        self.ready = False

    @classmethod
    def start(cls, warm: Callable[[], None] | None = None) -> Zygote:
        """Fork the zygote; it runs ``warm`` (say ``preload``) first, in its own process, while
        this one goes on (a worker's own imports meanwhile: a cold start on two cores)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the zygote process
            ours.close()
            _zygote_main(theirs, warm)
            os._exit(0)
        theirs.close()
        return cls(pid, ours)

    def wait_ready(self) -> None:
        """Until the zygote has warmed up and can fork students (one byte says so)."""
        if not self.ready:
            if self.sock.recv(1) != READY:
                raise RuntimeError("the zygote process did not start")
            self.ready = True

    def spawn(self, channel_fds: tuple[int, int], uid: int, scratch: Path, limits: ChildLimits):
        self.wait_ready()
        request = {"uid": uid, "scratch": str(scratch), "limits": asdict(limits)}
        socket.send_fds(self.sock, [json.dumps(request).encode()], list(channel_fds))
        reply = self.sock.recv(64)
        if not reply:
            raise RuntimeError("the zygote process is gone")
        return int(reply)

    def preload(self, modules: list[str]) -> None:
        """Import ``modules`` in the zygote too, so that later student processes start with them
        (an assignment's sklearn or sympy: a second each). Only what ``importable_packages``
        names is sent; one request and one reply, as ``spawn``."""
        if modules:
            self.wait_ready()
            self.sock.sendall(json.dumps({"preload": modules}).encode())
            self.sock.recv(64)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(self.pid, 0)


def _zygote_main(sock: socket.socket, warm: Callable[[], None] | None) -> None:  # pragma: no cover
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)  # the protocol streams are the grader's alone
    os.dup2(devnull, 1)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # students are reaped automatically
    if warm is not None:
        warm()
    # Ready: the first spawn request waits in the socket while what follows (~0.05 s) overlaps
    # the grader's preparation of the first submission, on a cold start's path otherwise.
    sock.sendall(READY)
    from .student import Student

    prototype = Student()
    # Everything imported so far lives as long as the process: keep it out of the garbage
    # collector's sight, so a student's collections neither walk nor copy-on-write it.
    gc.collect()
    gc.freeze()
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, 65536, 2)
        except OSError:
            return
        if not data:
            return
        request = json.loads(data)
        if "preload" in request:
            _import_more(request["preload"])
            sock.sendall(b"0")
            continue
        pid = os.fork()
        if pid == 0:
            _student_main(prototype, sock, devnull, fds, request)
        for fd in fds:
            os.close(fd)
        sock.sendall(str(pid).encode())


def _import_more(modules: list) -> None:  # pragma: no cover - the zygote process
    for name in modules:
        with contextlib.suppress(Exception):
            importlib.import_module(str(name))
    gc.collect()
    gc.freeze()


# Installed packages a student's import never puts in the zygote: side effects on import
# (a browser, a window, printing), or thread pools that a fork would leave half-copied.
# (``otter``: a student process gets the grader's stand-in for it, never the package.)
NOT_PRELOADED = {"antigravity", "this", "tkinter", "turtle", "idlelib", "torch", "tensorflow",
                 "jax", "jaxlib", "keras", "ray", "dask", "numba", "pyspark", "otter"}  # fmt: skip


@functools.cache
def _site_packages() -> tuple[str, ...]:
    import site
    import sysconfig

    folders = {
        sysconfig.get_path("purelib"),
        sysconfig.get_path("platlib"),
        *site.getsitepackages(),
    }
    return tuple(os.path.realpath(f) + os.sep for f in folders if f)


def _installed(name: str) -> bool:
    """Whether ``name`` is a package of this environment's site-packages (reading every
    distribution's metadata instead would cost ~0.1 s of each worker's start)."""
    import importlib.util

    if not name.isidentifier():
        return False
    module = sys.modules.get(name)
    if module is not None:
        places = [getattr(module, "__file__", None), *list(getattr(module, "__path__", []))]
    else:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return False
        places = [spec.origin, *(spec.submodule_search_locations or [])] if spec else []
    return any(
        isinstance(p, str) and os.path.realpath(p).startswith(_site_packages()) for p in places
    )


def importable_packages(names: list) -> list[str]:
    """Of the modules a notebook imported (``scipy`` or ``scipy.special``), those of installed
    third-party packages worth importing in the zygote (never the student's own files: they
    are no package)."""
    wanted = set()
    for name in names:
        parts = str(name).split(".") if isinstance(name, str) else [""]
        if all(part.isidentifier() for part in parts) and parts[0] not in NOT_PRELOADED:
            wanted.add(str(name))
    return sorted(n for n in wanted if _installed(n.split(".")[0]))[:50]


IMPORT_LINE = re.compile(r"^[ \t]*(?:import|from)[ \t]+([A-Za-z_][\w.]*)", re.MULTILINE)


def notebook_imports(sources: Iterable[str]) -> list[str]:
    """The modules the cells' import statements name (``scipy.special``), read, not run: a
    package the zygote had already imported never shows in the student process's new modules,
    yet the next worker, which imports only what the assignment uses, needs to know it."""
    return sorted({m.group(1).rstrip(".") for s in sources for m in IMPORT_LINE.finditer(s)})


def _student_main(prototype, sock, devnull: int, fds: list[int], request: dict) -> None:
    code = 0
    try:
        sock.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        # move everything out of the way first: the targets may be any of these numbers now
        read_fd, write_fd, null = (
            fcntl.fcntl(fd, fcntl.F_DUPFD, CHANNEL_FDS) for fd in (fds[0], fds[1], devnull)
        )
        devnull = null
        os.dup2(devnull, 1)
        if not os.environ.get("GRADING_WORKER_DEBUG"):  # else the student's errors reach the log
            os.dup2(devnull, 2)
        _close_inherited(keep={0, 1, 2, read_fd, write_fd})
        drop_privileges(request["uid"], Path(request["scratch"]), ChildLimits(**request["limits"]))
        from .student import run_child

        run_child(prototype, Channel(read_fd, write_fd))
    except BaseException:
        if os.environ.get("GRADING_WORKER_DEBUG"):
            import traceback

            traceback.print_exc()
        code = 1
    os._exit(code)


def _close_inherited(keep: set[int]) -> None:
    """Close every descriptor the student process inherited (the zygote's socket, its pipes)
    but read-only regular files: the fonts the warm imports opened, which FreeType reads
    glyphs from lazily (closing them breaks text drawing: "invalid stream operation")."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd in keep:
            continue
        with contextlib.suppress(OSError):
            regular = stat.S_ISREG(os.fstat(fd).st_mode)
            read_only = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY
            if not (regular and read_only):
                os.close(fd)
