"""An assignment's own packages on a host without containers: a venv over this environment.

The venv sees this environment's packages through a ``.pth`` file (``site.addsitedir`` of each
of its site-packages folders, after the venv's own), so it holds only what the assignment adds
or pins differently; ``--system-site-packages`` would show the base interpreter's packages, not
those of the venv the grader runs in. pip installs into it with this environment's pip
(``pip --python``); a package installed here at another version is left alone ("outside
environment") and shadowed by the venv's. Built in a temporary folder and renamed into place,
so a half-built venv is never used; cached under the project's cache folder by the caller's key.
"""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import GradingError
from ..files import cache_dir

PTH_NAME = "grading-running-environment.pth"


class VenvError(GradingError, RuntimeError):
    """A venv for an assignment cannot be made here."""


def venv_folder(key: str) -> Path:
    return cache_dir() / f"venv-{key}"


def venv_python(folder: Path) -> Path:
    return folder / "bin" / "python"


def build_venv(
    folder: Path, requirements: list[str], constraints: str
) -> subprocess.CompletedProcess:
    """Make ``folder`` a venv over this environment with ``requirements`` installed; the
    completed pip run is returned (its return code says whether it worked: nothing is left
    behind when it did not)."""
    if importlib.util.find_spec("pip") is None:
        raise VenvError(f"pip is not installed in {sys.prefix}: it installs assignments' packages")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{folder.name}.", dir=folder.parent))
    staging.chmod(0o755)  # mkdtemp's 0700 would keep a student user of the host sandbox out
    try:
        made = subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(staging)],
            capture_output=True, text=True,
        )  # fmt: skip
        if made.returncode != 0:
            raise VenvError(
                f"cannot make a venv with {sys.executable} (the venv module failed: "
                f"{made.stderr.strip()[-500:]})"
            )
        _see_this_environment(staging)
        (staging / "requirements.txt").write_text("\n".join(requirements) + "\n")
        (staging / "constraints.txt").write_text(constraints)
        pip = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(venv_python(staging)), "install",
             "--quiet", "--no-input", "--disable-pip-version-check",
             "-r", str(staging / "requirements.txt"), "-c", str(staging / "constraints.txt")],
            capture_output=True, text=True,
        )  # fmt: skip
        if pip.returncode == 0:
            # Another grade may have built the same venv meanwhile: then that one is used.
            with contextlib.suppress(OSError):
                staging.rename(folder)
        return pip
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _see_this_environment(venv: Path) -> None:
    """A ``.pth`` in the venv's site-packages that adds this environment's after its own."""
    probe = [
        str(venv_python(venv)),
        "-c",
        "import sysconfig; print(sysconfig.get_paths()['purelib'])",
    ]
    purelib = Path(subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip())
    folders = [p for p in site.getsitepackages() if Path(p).is_dir()]
    lines = [f"import site; site.addsitedir({folder!r})" for folder in folders]
    (purelib / PTH_NAME).write_text("\n".join(lines) + "\n")
