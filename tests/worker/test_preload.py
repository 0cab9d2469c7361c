"""An assignment's packages are imported once per worker, not once per student.

The worker learns which installed packages a notebook imported and has its zygote import them,
so the next student process starts with them; the host keeps the list per autograder zip for
the workers it starts later (``warm.Preloads``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from grading.sandbox.warm import Preloads
from grading.sandbox.worker.zygote import importable_packages, notebook_imports

from .test_otter_semantics import _zip, exception_test

pytestmark = pytest.mark.slow

PROBE = exception_test(
    "q1",
    "@test_case()\ndef check(already):\n    assert already == {'tqdm': True, 'units': False}\n",
)


# In a process of its own: a zygote forked from this test process would start with every module
# the other tests imported.
SCRIPT = """
import json, os, sys, tempfile
from pathlib import Path
import nbformat
from grading.sandbox.worker.grader import Autograder, NotebookRun, Settings
from grading.sandbox.worker.sandboxing import ChildLimits
from grading.sandbox.worker.zygote import Zygote, preload

def notebook(*cells):
    cells = [nbformat.v4.new_code_cell(c) for c in cells]
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells)).encode()

preload()
zygote = Zygote.start()
settings = Settings(uid=os.getuid(), cell_timeout=20, timeout=120,
                    limits=ChildLimits(memory_mb=2048, processes=64))
autograder = Autograder(Path(sys.argv[1]).read_bytes(), Path(tempfile.mkdtemp()))
probe = "import sys\\nalready = {m: m in sys.modules for m in ('tqdm', 'units')}"
first = NotebookRun(autograder, zygote, settings).grade(
    notebook(probe, "import tqdm, units"), "one.ipynb", {"units.py": b"x = 1\\n"})
second = NotebookRun(autograder, zygote, settings).grade(notebook(probe), "two.ipynb")
zygote.stop()
print(json.dumps([first["imports"], first["questions"], second["questions"]]))
"""


def test_a_package_one_notebook_imported_is_already_there_for_the_next(tmp_path):
    zip_path = tmp_path / "probe.zip"
    zip_path.write_bytes(_zip({"q1": PROBE}, {}, {}))
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(zip_path)], capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    imports, first, second = json.loads(done.stdout.splitlines()[-1])
    assert imports == ["tqdm"]  # an installed package; the student's own module is not one
    assert first[0]["score"] == 0.0  # the first student imported it itself
    assert second[0]["score"] == 1.0  # the next found it imported


def test_the_host_keeps_what_most_of_a_zips_notebooks_import_for_later_workers(tmp_path):
    preloads = Preloads(tmp_path)
    assert preloads.of("abc") is None  # never graded: its worker imports the common packages
    preloads.learn("abc", ["sklearn", "pandas", 7])
    assert Preloads(tmp_path).of("abc") == ["pandas", "sklearn"]  # kept on disk, sorted
    preloads.learn("abc", ["pandas"])
    preloads.learn("abc", ["pandas", "pandas"])
    # sklearn: one notebook of three; left to the zygote of a worker that meets it
    assert Preloads(tmp_path).of("abc") == ["pandas"]
    preloads.learn("abc", ["sklearn"])
    assert Preloads(tmp_path).of("abc") == ["pandas", "sklearn"]  # two of four
    preloads.learn("plain", [])  # graded, and imports nothing worth preloading: known as such
    assert Preloads(tmp_path).of("plain") == []
    for bad in ('["a list"]', '{"notebooks": 1, "imports": ["x"]}', "{", '{"imports": {}}'):
        (tmp_path / "bad.json").write_text(bad)
        assert Preloads(tmp_path).of("bad") is None, bad


PRELOAD = """
import json, sys
from grading.sandbox.worker.zygote import preload
preload(json.loads(sys.argv[1]))
print(json.dumps({m: m in sys.modules for m in ("pandas", "scipy.special", "scipy.optimize")}))
"""


@pytest.mark.parametrize(
    ("learned", "expected"),
    [
        (None, {"pandas": True, "scipy.special": True, "scipy.optimize": True}),
        ([], {"pandas": False, "scipy.special": False, "scipy.optimize": False}),
        (["scipy.special"], {"pandas": False, "scipy.special": True, "scipy.optimize": False}),
    ],
)
def test_a_worker_imports_what_its_assignment_uses(learned, expected):
    """A known assignment's worker imports its packages and nothing more (the cold start)."""
    args = [sys.executable, "-c", PRELOAD, json.dumps(learned)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1]) == expected


def test_what_a_notebook_imports_is_read_from_its_cells():
    """A package the worker had already imported is not new in the student process: the cells'
    import statements still name it, submodule included, for the next worker to preload."""
    cells = [
        "import numpy as np\nfrom scipy.special import expit",
        "  import a.b, c\nx = 'import no'",
        "from . import mine\n%matplotlib inline\nfrom matplotlib import pyplot",
    ]
    assert notebook_imports(cells) == ["a.b", "matplotlib", "numpy", "scipy.special"]
    assert importable_packages(["scipy.special", "numpy", "otter", "nope.x", "a b", 3]) == [
        "numpy", "scipy.special"]  # fmt: skip
