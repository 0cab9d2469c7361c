"""The benchmark's own arithmetic: the floor and the measured ceiling on tiny notebooks, the
ratios and per-phase figures each row prints, the logs' phase medians, and the table written
only between its markers. Nothing here times against a threshold: a cell that sleeps sets the
least a measurement can be, and every ratio is checked on made-up numbers."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grading.benchmark import Measurement
from grading.benchmark_classes import (
    END,
    HEADER,
    OUTSIDE,
    START,
    Row,
    phases,
    report,
    write_table,
)
from grading.benchmark_otter import Case, Result
from grading.errors import UsageError
from grading.sandbox.worker.grader import PHASES_LABEL

ROOT = Path(__file__).resolve().parents[1]
SLEEP = 0.3  # seconds the sleeping cell waits; the zip's files/delay.txt says so
PHASE_NAMES = ["prepare", "cells", "tests", "channel", "total"]
TEST_FILE = """from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1


@test_case()
def test_q1(x):
    assert x > 0
"""

# The floor and the ceiling fork from a process they warm (the worker's imports, gc.freeze):
# a process of their own, not the test session.
MEASURE = """
import json, sys
from pathlib import Path
from grading.benchmark import time_ceiling, time_floor
folder = Path(sys.argv[1])
found = {}
for name in ("plain", "sleepy"):
    notebooks = sorted((folder / name).glob("*.ipynb"))
    floor = time_floor(notebooks, folder / "autograder.zip")
    ceiling = time_ceiling(notebooks, folder / "autograder.zip", 2)
    found[name] = {"floor": [floor.seconds, floor.wall, floor.by_cell, floor.drawn],
                   "ceiling": [ceiling.seconds, ceiling.wall, ceiling.workers]}
print(json.dumps(found))
"""


def notebook(path: Path, sleeps: bool) -> None:
    cells = [
        nbformat.v4.new_code_cell("x = sum(range(10**5))", id="sum"),
        nbformat.v4.new_code_cell("y = [i * i for i in range(10**4)]", id="squares"),
        # a hand-graded plot: the grading run keeps its figure (the zip's keep_outputs)
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nplt.plot([1, 4, 9])", id="plot"
        ),
    ]
    if sleeps:  # reads the zip's files/: the floor runs where it unpacked them
        source = 'import time\ntime.sleep(float(open("delay.txt").read()))'
        cells.append(nbformat.v4.new_code_cell(source, id="sleep"))
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("bare")
    with zipfile.ZipFile(folder / "autograder.zip", "w") as archive:
        archive.writestr("otter_config.json", json.dumps({"grading": {"keep_outputs": ["plot"]}}))
        archive.writestr("tests/q1.py", TEST_FILE)
        archive.writestr("files/", "")  # a folder's own entry, as zip tools write it
        archive.writestr("files/delay.txt", str(SLEEP))
    for name in ("plain", "sleepy"):
        (folder / name).mkdir()
        for i in range(3):  # the second notebook of the sleepy class sleeps
            notebook(folder / name / f"student{i}.ipynb", sleeps=name == "sleepy" and i == 1)
    proc = subprocess.run([sys.executable, "-c", MEASURE, str(folder)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ["plain", "sleepy"])
def test_floor_and_ceiling_measure_every_notebook(measured, name):
    seconds, wall, by_cell, drawn = measured[name]["floor"]
    assert len(seconds) == 3 and all(s > 0 for s in seconds) and wall >= sum(seconds) + sum(drawn)
    assert len(drawn) == 3 and all(d > 0 for d in drawn)  # the kept cell's figure, drawn apart
    assert {key.split(" ")[0] for key in by_cell} >= {"sum", "squares"}
    seconds, wall, workers = measured[name]["ceiling"]
    assert workers == 2 and len(seconds) == 3 and all(s > 0 for s in seconds)
    # The wall holds every notebook's run, and no more than two ran at once.
    assert wall >= max(seconds) and 2 * wall >= sum(seconds)


def test_a_sleeping_cell_costs_the_floor_and_the_ceiling_its_sleep(measured):
    seconds, wall, by_cell, _ = measured["sleepy"]["floor"]
    assert by_cell["sleep `import time`"] >= SLEEP
    assert seconds[1] >= SLEEP and wall >= SLEEP + seconds[0] + seconds[2]
    assert "sleep `import time`" not in measured["plain"]["floor"][2]
    seconds, wall, _ = measured["sleepy"]["ceiling"]
    assert seconds[1] >= SLEEP and wall >= SLEEP  # in the submissions' order


PHASES = {"prepare": 0.01, "cells": 0.4, "tests": 0.08, "channel": 0.05, "total": 0.55}


def test_a_rows_ratios_and_phases():
    row = Row("class of 30, warm", 30, (10.0, 9.0, 9.5), otter=30 * 6.0, floor=30 * 0.3,
              ceiling=30 * 0.15, workers=2, phases=PHASES)  # fmt: skip
    assert row.cells() == ["class of 30, warm", "30", "9.5", "10.0, 9.0, 9.5", "0.32", "18.9x",
                           "1.06x", "2.11x"]  # fmt: skip
    assert len(row.cells()) == len(HEADER)
    # 9.5 s x 2 workers / 30 notebooks = 0.633 s of the workers per notebook, 0.55 in one
    assert row.phase_cells(PHASE_NAMES) == ["class of 30, warm", "2", "0.010", "0.400", "0.080",
                                            "0.050", "0.550", "0.083"]  # fmt: skip
    bare = Row("one notebook, cold (no warm workers)", 1, (3.7,), 6.0, 0.3, 0.15)
    assert bare.outside is None
    assert bare.phase_cells(["cells"]) == ["one notebook, cold (no warm workers)", "1", "–", "–"]


def test_the_report_under_the_table():
    by_cell = {"c1 `import numpy`": 0.2, "c2 `plt.figure()`": 0.05, "c3 `x = 1`": 0.03,
               "c4 `y = 2`": 0.02}  # fmt: skip
    floor = Measurement("floor", [0.3] * 30, 9.5, 180.0, 1, by_cell)
    ceiling = Measurement("ceiling", [0.31] * 30, 4.5, 180.0, 2)
    rows = [
        Row("one notebook, warm", 1, (0.7, 0.8, 0.7), 6.0, 0.3, 0.15, 1, {"total": 0.6}),
        Row("class of 30, warm", 30, (9.5,), 180.0, 9.0, 4.5, 2, PHASES),
    ]
    lines = report(rows, floor, ceiling, otter=6.0, timed=6, runs=3)
    assert lines[lines.index("") + 1 :] == [
        "Medians of 3 run(s). Per complete notebook (medians, class of 30): floor 0.300 s (one"
        " at a time); sequential `otter run` 6.00 s (of 6).",
        "",
        "Ceiling on this machine, measured: the floor on its 2 cores at once (a warm process per"
        " core taking the next notebook, as `grade`'s workers do) ran the class of 30 in 4.50 s,"
        " 0.150 s of wall time per notebook = 40.0x sequential `otter run`; meanwhile a notebook"
        " took 0.310 s (median), 1.03x the floor alone (1.00x: the cores scale).",
        "",
        "A worker busy per notebook (the warm class of 30, the worker's median total): 0.550 s"
        " = 1.83x the floor (the target: at most 1.3x), tests 0.080 s of it.",
        "",
        "Seconds per phase in the worker (medians over each row's logs) and outside it (the"
        " row's wall x its workers / notebooks, less the worker's total: start-up, the host's"
        " side, waiting):",
        "",
        f"| what | workers | prepare | cells | tests | channel | total | {OUTSIDE} |",
        "|---|---|---|---|---|---|---|---|",
        "| one notebook, warm | 1 | – | – | – | – | 0.600 | 0.100 |",
        "| class of 30, warm | 2 | 0.010 | 0.400 | 0.080 | 0.050 | 0.550 | 0.083 |",
        "",
        "Where the floor goes (median seconds per cell): c1 `import numpy` 0.200 s;"
        " c2 `plt.figure()` 0.050 s; c3 `x = 1` 0.030 s; the other 1 cells 0.020 s together"
        " (the floor, a whole notebook: 0.300 s).",
    ]
    drew = Measurement("floor", [0.3] * 30, 9.5, 180.0, 1, by_cell, drawn=[0.1] * 30)
    busy_line = next(line for line in report(rows, drew, ceiling, otter=6.0, timed=6, runs=3)
                     if line.startswith("A worker busy"))  # fmt: skip
    assert busy_line.endswith(
        "Drawing the figures of the hand-graded cells, which the grading run keeps for the"
        " graders, takes 0.100 s of a bare process (median): against the floor with them drawn"
        " (0.400 s) the worker is busy 1.38x."
    )
    busy = report(rows[:1], floor, ceiling, otter=6.0, timed=6, runs=3)
    assert "A worker busy per notebook: no worker log of the warm class of 30 says." in busy


def test_an_otter_suite_result_against_otter_run_the_floor_and_the_ceiling():
    result = Result(Case("fixtures", Path("a.zip"), []), 30, (4.4, 4.5, 4.6), (2.0, 2.1, 1.9),
                    otter=3.0,
                    phases={}, floor=0.05, ceiling=0.03, floor_busy=0.06)  # fmt: skip
    # 30 notebooks: otter run 90 s, the floor 1.5 s, the ceiling 0.9 s; warm 2.0 s, cold 4.5 s
    assert result.cells() == ["fixtures", "30", "4.5 (4.4, 4.5, 4.6)", "2.0 (2.0, 2.1, 1.9)",
                              "0.07", "3.00", "0.050", "0.030", "45.0x", "20.0x", "1.33x",
                              "3.00x", "2.22x", "5.00x"]  # fmt: skip


def write_log(folder: Path, name: str, values: list[float]) -> None:
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    figures = ", ".join(f"{n} {v:.3f}" for n, v in zip(PHASE_NAMES, values, strict=True))
    text = f"q1: 1 / 1\nGRADING SUMMARY\n{PHASES_LABEL} {figures}\n"
    (folder / "logs" / f"{name}.log").write_text(text, encoding="utf-8")


def test_phases_are_medians_over_every_log_of_the_runs(tmp_path):
    write_log(tmp_path / "run1", "a", [0.010, 0.400, 0.080, 0.050, 0.540])
    write_log(tmp_path / "run1", "b", [0.020, 0.600, 0.100, 0.070, 0.790])
    (tmp_path / "run1" / "logs" / "c.log").write_text("crashed before its summary\n")
    assert phases(tmp_path / "run1") == pytest.approx(
        {"prepare": 0.015, "cells": 0.5, "tests": 0.09, "channel": 0.06, "total": 0.665}
    )
    assert list(phases(tmp_path / "run1")) == PHASE_NAMES
    write_log(tmp_path / "run2", "a", [0.030, 0.900, 0.200, 0.100, 1.230])
    assert phases(tmp_path / "run1", tmp_path / "run2") == pytest.approx(
        {"prepare": 0.02, "cells": 0.6, "tests": 0.1, "channel": 0.07, "total": 0.79}
    )
    assert phases(tmp_path / "nothing") == {}


def test_the_table_is_written_between_its_markers_only(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nno markers here\n", encoding="utf-8")
    with pytest.raises(UsageError):
        write_table(doc, "| a |")
    assert doc.read_text(encoding="utf-8") == "# Benchmarks\n\nno markers here\n"
    head = "# Benchmarks\n\nWhat the table means.\n\n"
    tail = "\n\n<!-- benchmark:otter:start -->\nother table\n<!-- benchmark:otter:end -->\n"
    doc.write_text(f"{head}{START}\n| old |\n{END}{tail}", encoding="utf-8")
    write_table(doc, "| new |\n\nA line under it.")
    text = doc.read_text(encoding="utf-8")
    assert text.startswith(f"{head}{START}\n<!-- written by `python -m grading benchmark")
    assert text.endswith(f"\n| new |\n\nA line under it.\n{END}{tail}")
    assert "| old |" not in text and text.count(START) == 1 and text.count(END) == 1
