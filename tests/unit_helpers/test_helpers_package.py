"""Tests for the helpers package as a whole: public API and import-time behaviour."""

import json
import os
import subprocess
import sys
from pathlib import Path

import helpers

PUBLIC_API = {
    "forward_diff",
    "backward_diff",
    "centered_diff",
    "grad_check",
    "header",
    "check_true",
    "check_close",
    "COLORS",
    "PLOT_RCPARAMS",
    "set_plot_style",
    "check_submission",
}


def test_all_lists_exactly_the_public_api():
    assert set(helpers.__all__) == PUBLIC_API
    assert len(helpers.__all__) == len(PUBLIC_API)
    for name in helpers.__all__:
        assert getattr(helpers, name) is not None


def test_everything_is_documented():
    assert helpers.__doc__
    for name in PUBLIC_API - {"COLORS", "PLOT_RCPARAMS"}:
        assert getattr(helpers, name).__doc__, name


def test_import_has_no_plotting_side_effects():
    # A fresh interpreter, so modules imported by other tests do not interfere.
    src = str(Path(helpers.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    code = (
        "import json, sys\n"
        "from helpers import *\n"
        "mods = ['seaborn', 'matplotlib', 'matplotlib.pyplot', 'scipy']\n"
        "print(json.dumps({m: m in sys.modules for m in mods}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    loaded = json.loads(proc.stdout)
    assert loaded == {
        "seaborn": False,
        "matplotlib": False,
        "matplotlib.pyplot": False,
        "scipy": False,
    }
