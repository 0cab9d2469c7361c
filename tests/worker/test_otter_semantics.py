"""What a test sees when the worker grades it, case by case, against what Otter's kernel shows it.

Each case is a small autograder zip written here (tests, config, support files) and a notebook;
it runs through the real worker in this process's children (zygote, student process, grader),
without a container. The expected scores are what Otter's single kernel gives these tests
(``tests/otter_compat`` checks whole assignments against ``otter run`` itself).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import textwrap
import zipfile
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def grade():
    from grading.sandbox.worker.grader import Autograder, NotebookRun, Settings
    from grading.sandbox.worker.sandboxing import ChildLimits
    from grading.sandbox.worker.zygote import Zygote, preload

    preload()
    zygote = Zygote.start()
    settings = Settings(uid=os.getuid(), cell_timeout=20, timeout=120,
                        limits=ChildLimits(memory_mb=2048, processes=64))  # fmt: skip

    def run(tests: dict[str, str], cells: list[str], *, config=None, files=None, extra=None):
        autograder = Autograder(_zip(tests, config or {}, files or {}), Path(tempfile.mkdtemp()))
        notebook = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in cells]
        )
        data = nbformat.writes(notebook).encode()
        outcome = NotebookRun(autograder, zygote, settings).grade(data, "hw.ipynb", extra)
        assert outcome["status"] in ("graded", "tampered"), outcome.get("reason")
        return outcome

    yield run
    zygote.stop()


def _zip(tests: dict[str, str], config: dict, files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("otter_config.json", json.dumps(config))
        for name, source in tests.items():
            archive.writestr(f"tests/{name}.py", textwrap.dedent(source))
        for name, content in files.items():
            archive.writestr(f"files/{name}", content)
    return buffer.getvalue()


def scores(outcome: dict) -> dict[str, float]:
    return {q["name"]: q["score"] for q in outcome["questions"]}


def ok_test(name: str, *cases: str, points: float = 1, hidden: bool = False) -> str:
    """An OK-format test file (what Otter Assign writes by default) with one doctest per case."""
    suite = [{"code": textwrap.dedent(case), "hidden": hidden, "locked": False} for case in cases]
    spec = {"name": name, "points": points, "suites": [{"cases": suite, "scored": True,
            "setup": "", "teardown": "", "type": "doctest"}]}  # fmt: skip
    return f"OK_FORMAT = True\ntest = {spec!r}\n"


def exception_test(name: str, body: str, points: float = 1) -> str:
    return (
        "OK_FORMAT = False\nfrom otter.test_files import test_case\n"
        f"name = {name!r}\npoints = {points}\n{textwrap.dedent(body)}"
    )


GREET = """
    def greet(name):
        print(f"Hello, {name}!")
        return len(name)
"""


def test_a_doctest_sees_what_the_students_function_prints_and_returns(grade):
    tests = {"q1": ok_test("q1", ">>> greet('Bob')\nHello, Bob!\n3\n")}
    assert scores(grade(tests, [GREET])) == {"q1": 1.0}
    wrong = GREET.replace("Hello, {name}!", "Hi {name}")
    assert scores(grade(tests, [wrong])) == {"q1": 0.0}


def test_names_a_doctest_assigns_stay_for_its_next_examples_but_not_the_next_case(grade):
    tests = {
        "q1": ok_test(
            "q1",
            ">>> n = greet('Al')\nHello, Al!\n>>> n * 2\n4\n",
            ">>> 'n' in globals()\nFalse\n",
            points=2,
        )
    }
    assert scores(grade(tests, [GREET])) == {"q1": 2.0}


def test_a_students_generator_and_class_behave_as_live_objects(grade):
    tests = {
        "q1": ok_test("q1", ">>> g = countdown(3)\n>>> next(g), next(g), list(g)\n(3, 2, [1])\n"),
        "q2": exception_test(
            "q2",
            """
            @test_case()
            def check(Dog, rex):
                assert isinstance(rex, Dog) and not isinstance(3, Dog)
                assert rex.speak() == "Rex: woof" and len(rex) == 3 and rex.name == "Rex"
                fido = Dog("Fido")
                fido.name = "Bo"
                assert fido.speak() == "Bo: woof" and repr(fido) == "Dog('Bo')"
                assert fido != rex and sorted([fido, rex])[0].name == "Bo"
            """,
        ),
    }
    cells = [
        """
        def countdown(n):
            while n:
                yield n
                n -= 1
        """,
        """
        class Dog:
            def __init__(self, name):
                self.name = name
            def speak(self):
                return f"{self.name}: woof"
            def __len__(self):
                return len(self.name)
            def __lt__(self, other):
                return self.name < other.name
            def __repr__(self):
                return f"Dog({self.name!r})"
        rex = Dog("Rex")
        """,
    ]
    outcome = grade(tests, cells)
    assert scores(outcome) == {"q1": 1.0, "q2": 1.0}
    assert outcome["live"] == {"q1": ["generator"], "q2": ["Dog"]}


def test_a_test_that_seeds_the_global_generators_sees_the_students_draws(grade):
    tests = {
        "q1": exception_test(
            "q1",
            """
            import numpy as np, random
            @test_case()
            def check(noisy, pick):
                np.random.seed(3)
                got = noisy(4)
                np.random.seed(3)
                assert np.allclose(got, np.random.normal(size=4) + 1)
                random.seed(9)
                first = pick(range(100))
                reference = random.Random(9)
                assert first == reference.choice(range(100))
                assert random.random() == reference.random()  # the stream went on here
            """,
        )
    }
    cells = [
        """
        import numpy as np, random
        def noisy(n):
            return np.random.normal(size=n) + 1
        def pick(items):
            return random.choice(items)
        """
    ]
    assert scores(grade(tests, cells)) == {"q1": 1.0}


def test_a_seed_a_check_sets_carries_into_the_cells_after_it(grade):
    tests = {"q1": exception_test("q1", "@test_case()\ndef seed():\n    import numpy\n    "
                                  "numpy.random.seed(11)\n")}  # fmt: skip
    tests["q2"] = exception_test(
        "q2",
        """
        import numpy as np
        @test_case()
        def check(after):
            np.random.seed(11)
            assert after == np.random.randint(1000)
        """,
    )
    cells = ["import otter\ngrader = otter.Notebook()", "grader.check('q1')",
             "import numpy as np\nafter = np.random.randint(1000)"]  # fmt: skip
    assert scores(grade(tests, cells)) == {"q1": 1.0, "q2": 1.0}


def test_env_is_a_whole_mapping_and_check_all_is_ignored_as_in_grading_mode(grade):
    tests = {
        "q1": exception_test(
            "q1",
            """
            @test_case()
            def check(env):
                mine = sorted(k for k in env if k.startswith("my_") and callable(env[k]))
                assert mine == ["my_max", "my_min"], mine
                assert "secret" not in env and "my_max" in env.keys() and len(env) > 3
                assert dict(env.items())["answer"] == 42
            """,
        )
    }
    cells = [
        "import otter\ngrader = otter.Notebook()",
        "def my_max(v):\n    return max(v)\ndef my_min(v):\n    return min(v)\nanswer = 41",
        "grader.check_all()\nanswer += 1",
        "secret = 1\ndel secret",
    ]
    outcome = grade(tests, cells)
    assert scores(outcome) == {"q1": 1.0}


def test_a_check_sees_its_moment_and_a_missing_test_stops_its_cell(grade):
    tests = {"q1": ok_test("q1", ">>> x\n1\n"), "q2": ok_test("q2", ">>> x, passed\n(2, True)\n")}
    cells = [
        "import otter\ngrader = otter.Notebook()",
        "x = 1",
        "result = grader.check('q1')\nx = 2",
        "passed = result.passed_all",
        "grader.check('nope')\nx = 3",
    ]
    # q1 was checked when x was 1 (not run again at the end); q2 runs at the end: the check of
    # a missing test raised in its cell, so x = 3 never ran
    assert scores(grade(tests, cells)) == {"q1": 1.0, "q2": 1.0}


def test_support_files_are_importable_and_readable_and_the_students_files_readable(grade):
    tests = {
        "q1": exception_test(
            "q1",
            """
            from checks import is_sorted
            import pandas as pd
            @test_case()
            def check(my_sort, summary):
                assert is_sorted(my_sort([3, 1, 2]))
                data = pd.read_csv("data.csv")
                assert summary == data.x.sum()
                assert open("out.txt").read() == "written by the notebook"
                assert open("notes.md").read() == "submitted beside it"
            """,
        )
    }
    files = {"checks.py": "def is_sorted(v):\n    return list(v) == sorted(v)\n",
             "data.csv": "x,y\n1,2\n3,4\n"}  # fmt: skip
    cells = [
        "import pandas as pd\nsummary = int(pd.read_csv('data.csv').x.sum())",
        "def my_sort(v):\n    return sorted(v)",
        "open('out.txt', 'w').write('written by the notebook')",
    ]
    outcome = grade(tests, cells, files=files, extra={"notes.md": b"submitted beside it"})
    assert scores(outcome) == {"q1": 1.0}


def test_the_students_exception_keeps_its_name_and_builtin_base(grade):
    tests = {
        "q1": exception_test(
            "q1",
            """
            @test_case()
            def check(safe_sqrt):
                try:
                    safe_sqrt(-1)
                except ValueError as error:
                    assert type(error).__name__ == "NegativeInput" and "negative" in str(error)
                else:
                    raise AssertionError("no error")
            """,
        ),
        "q2": ok_test(
            "q2",
            ">>> safe_sqrt(-4)\nTraceback (most recent call last):\n    ...\n"
            "NegativeInput: negative: -4\n",
        ),
    }
    cells = [
        """
        class NegativeInput(ValueError):
            pass
        def safe_sqrt(x):
            if x < 0:
                raise NegativeInput(f"negative: {x}")
            return x ** 0.5
        """
    ]
    assert scores(grade(tests, cells)) == {"q1": 1.0, "q2": 1.0}


def test_rich_values_reach_the_test_as_the_grader_libraries_own_objects(grade):
    tests = {
        "q1": exception_test(
            "q1",
            """
            import datetime as dt
            from decimal import Decimal
            from fractions import Fraction
            import pandas as pd
            @test_case()
            def check(frac, dec, when, frame, point, Point):
                assert frac == Fraction(1, 3) and type(frac) is Fraction
                assert dec == Decimal("0.1") and when == dt.date(2024, 1, 31)
                assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["a", "b"]
                pd.testing.assert_frame_equal(frame, pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0]}))
                assert point == Point(1, 2) and point.y == 2
            """,
        )
    }
    cells = [
        """
        import datetime as dt
        from collections import namedtuple
        from decimal import Decimal
        from fractions import Fraction
        import pandas as pd
        frac, dec, when = Fraction(1, 3), Decimal("0.1"), dt.date(2024, 1, 31)
        frame = pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0]})
        Point = namedtuple("Point", "x y")
        point = Point(1, 2)
        """
    ]
    assert scores(grade(tests, cells)) == {"q1": 1.0}


def test_a_generator_the_test_hands_over_advances_as_in_one_process(grade):
    tests = {
        "q1": exception_test(
            "q1",
            """
            import numpy as np
            @test_case()
            def check(draw):
                rng = np.random.default_rng(5)
                first = draw(rng)
                second = rng.random()
                reference = np.random.default_rng(5)
                assert first == reference.random() and second == reference.random()
            """,
        )
    }
    assert scores(grade(tests, ["def draw(rng):\n    return rng.random()"])) == {"q1": 1.0}


def test_patching_otter_or_doctest_in_the_notebook_changes_no_score(grade):
    tests = {"q1": ok_test("q1", ">>> answer\n42\n"),
             "q2": exception_test("q2", "@test_case()\ndef check(answer):\n"
                                  "    assert answer == 42\n")}  # fmt: skip
    cells = [
        "answer = 7",
        "import doctest\ndoctest.OutputChecker.check_output = lambda *args: True",
        """
        from otter.test_files import abstract_test
        abstract_test.TestFile.score = property(lambda self: self.possible)
        """,
    ]
    outcome = grade(tests, cells)
    assert scores(outcome) == {"q1": 0.0, "q2": 0.0}
    assert outcome["status"] == "tampered"


def test_a_live_library_object_whose_class_the_notebook_patched_earns_nothing(grade):
    tests = {
        "q1": exception_test(
            "q1",
            """
            @test_case()
            def check(greeting):
                assert greeting.substitute(name="Ada") == "Hello, Ada!"
            """,
        ),
        "q2": exception_test("q2", "@test_case()\ndef check(answer):\n    assert answer == 42\n"),
    }
    honest = ["import string\ngreeting = string.Template('Hello, $name!')\nanswer = 42"]
    outcome = grade(tests, honest)
    assert scores(outcome) == {"q1": 1.0, "q2": 1.0}
    assert outcome["live"] == {"q1": ["string.Template"]} and outcome["status"] == "graded"
    patched = [
        "import string\ngreeting = string.Template('Hi')\nanswer = 42",
        "string.Template.substitute = lambda self, **kw: 'Hello, Ada!'",
    ]
    outcome = grade(tests, patched)
    assert scores(outcome) == {"q1": 0.0, "q2": 1.0}
    assert outcome["status"] == "tampered"
    assert "string.Template.substitute" in outcome["reason"]


def test_a_test_imports_the_students_own_module_which_runs_in_the_student_process(grade):
    tests = {
        "q1": exception_test(
            "q1",
            """
            @test_case()
            def check():
                import units
                from units import to_km
                assert round(units.to_km(10), 6) == 16.09344 and to_km(1) == units.KM_PER_MILE
                import sys
                assert "pandas" in sys.modules  # a library still comes from the grader's path
            """,
        )
    }
    module = b"KM_PER_MILE = 1.609344\n\ndef to_km(miles):\n    return miles * KM_PER_MILE\n"
    outcome = grade(tests, ["x = 1"], extra={"units.py": module})
    assert scores(outcome) == {"q1": 1.0}
    assert outcome["live"] == {"q1": ["module units"]}
    wrong = module.replace(b"1.609344", b"1.6")
    assert scores(grade(tests, ["x = 1"], extra={"units.py": wrong})) == {"q1": 0.0}
    assert scores(grade(tests, ["x = 1"])) == {"q1": 0.0}  # no such module: the test fails
    assert "units" not in __import__("sys").modules
