"""What the pipeline needs to know about an autograder zip, read once on the host.

Any zip that ``otter assign`` or ``otter generate`` makes: OK-format (doctest) or exception-format
test files, its ``otter_config.json``, its requirements. Reading the questions takes Otter's own
test-file parser, and importing Otter costs seconds; what it finds is cached per zip hash
(``~/.cache/notebook-grading/autograders/``), so a later ``grade`` of the same zip starts without
importing Otter at all.

It also decides how the zip is graded: by the warm engine, or, for what the warm engine cannot
honour (Otter plugins, grading from the log), by ``otter run`` in the same sandbox, or not at
all (R assignments), always with the reason; and under which limits, when the instructor set
some for this assignment in ``otter_config.json``'s ``grading`` key (which Otter ignores).
"""

from __future__ import annotations

import contextlib
import json
import math
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from .errors import GradingError, MissingInput
from .files import atomic_write, cache_dir
from .model import sha256_file

CACHE_VERSION = 4
MAX_TEST_BYTES = 5 * 1024 * 1024
SETTINGS_KEY = "grading"  # this tool's key in otter_config.json; Otter ignores unknown keys
# The limits an assignment may set (``grading.sandbox.Limits``'s fields) and their unit.
ASSIGNMENT_LIMITS = {"timeout": "seconds", "cell_timeout": "seconds", "memory_mb": "MB"}
# Under ``grading`` too: the answer cells of the hand-graded questions, whose outputs the grading
# run keeps for the hand grader (the build writes them; a zip from elsewhere has none).
KEEP_OUTPUTS_KEY = "keep_outputs"
MAX_KEPT_CELLS = 1000


class AutograderError(GradingError, ValueError):
    """The file is not an Otter autograder zip this tool can use."""


@dataclass(frozen=True)
class AutograderInfo:
    path: Path
    sha256: str
    assignment: str | None  # Otter's assignment name, checked against each notebook
    questions: dict[str, float]  # autograded question -> points
    show_hidden: bool  # whether students may see hidden test results (after publication)
    show_stdout: bool = False  # whether students may see the grading log (after publication)
    points_possible: float | None = None  # Otter rescales the total to this many points
    score_threshold: float | None = None  # Otter's pass/fail: full marks at or above, else 0
    test_format: str = "exception"  # "ok", "exception" or "mixed"
    otter_run_because: str = ""  # why the warm engine cannot grade it: otter run does
    # Limits this assignment sets (``"grading": {"cell_timeout": 120}``): field -> value
    limits: dict[str, float] = field(default_factory=dict)
    # Cell ids whose outputs the grading run keeps; None: the zip does not say (the worker then
    # keeps the cells inside Otter's BEGIN/END QUESTION regions)
    keep_outputs: tuple[str, ...] | None = None

    @property
    def possible(self) -> float:
        """The total a student can reach, as Otter's results.json counts it."""
        if self.points_possible is not None:
            return self.points_possible
        return sum(self.questions.values())

    def total(self, earned: float) -> float:
        """``earned`` (the sum of question scores) as Otter's results.json totals it."""
        raw = sum(self.questions.values())
        if self.score_threshold is not None:
            reached = earned / raw >= self.score_threshold if raw else self.score_threshold <= 0
            return self.possible if reached else 0.0
        if self.points_possible is not None:
            return earned / raw * self.points_possible if raw else 0.0
        return earned

    @property
    def totals_rule(self) -> str:
        """How Otter's total differs from the sum of the question scores ("" if it does not)."""
        if self.score_threshold is not None:
            return (
                f"pass/fail: {self.possible:g} points at or above {self.score_threshold:.0%} of"
                " the question points, else 0 (score_threshold)"
            )
        if self.points_possible is not None:
            return f"the question scores rescaled to {self.possible:g} points (points_possible)"
        return ""

    def record(self) -> dict:
        """What is kept of it (in the cache, in the gradebook's runs): all but path and hash."""
        return {k: v for k, v in asdict(self).items() if k not in ("path", "sha256")}

    @classmethod
    def from_record(cls, path: Path, sha256: str, record: dict) -> AutograderInfo:
        """The info ``record()`` kept; TypeError or ValueError if it is not such a record."""
        info = cls(path=path, sha256=sha256, **record)
        if info.keep_outputs is not None:  # JSON keeps a tuple as a list
            object.__setattr__(info, "keep_outputs", tuple(map(str, info.keep_outputs)))
        if not isinstance(info.questions, dict) or not isinstance(info.limits, dict):
            raise ValueError("not an autograder record")
        return info


def read_autograder(path: Path, cache: Path | None = None) -> AutograderInfo:
    """Validate an Otter autograder zip and read its questions, settings and grading path."""
    if not path.is_file():
        raise MissingInput(f"{path}: autograder zip not found")
    sha256 = sha256_file(path)
    cached = (cache or cache_dir() / "autograders") / f"{sha256}.json"
    try:
        data = json.loads(cached.read_text(encoding="utf-8"))
        if data.pop("version") == CACHE_VERSION:
            return AutograderInfo.from_record(path, sha256, data)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    info = _parse(path, sha256)
    with contextlib.suppress(OSError):  # a read-only home: parse again next time
        atomic_write(cached, json.dumps({"version": CACHE_VERSION, **info.record()}))
    return info


def _parse(path: Path, sha256: str) -> AutograderInfo:
    try:
        with zipfile.ZipFile(path) as zf:
            names = {PurePosixPath(n).as_posix() for n in zf.namelist()}
            if "otter_config.json" not in names and "run_autograder" not in names:
                raise AutograderError(f"{path}: not an Otter autograder zip (no otter_config.json)")
            config = _config(path, zf, names)
            _refuse_other_languages(path, config, names)
            tests = _test_sources(path, zf, names)
    except zipfile.BadZipFile:
        raise AutograderError(f"{path}: not a zip file") from None
    if not tests:
        raise AutograderError(f"{path}: the autograder zip holds no tests/*.py")
    questions, formats = _questions(path, tests)
    return AutograderInfo(
        path=path,
        sha256=sha256,
        assignment=config.get("assignment_name"),
        questions=questions,
        show_hidden=bool(config.get("show_hidden", False)),
        show_stdout=bool(config.get("show_stdout", False)),
        points_possible=_number(path, config, "points_possible"),
        score_threshold=_number(path, config, "score_threshold"),
        test_format=formats.pop() if len(formats) == 1 else "mixed",
        otter_run_because=_needs_otter_run(config),
        limits=_limits(path, config),
        keep_outputs=_keep_outputs(path, config),
    )


def _config(path: Path, zf: zipfile.ZipFile, names: set[str]) -> dict:
    if "otter_config.json" not in names:
        return {}
    try:
        config = json.loads(zf.read("otter_config.json"))
    except (ValueError, UnicodeDecodeError) as error:
        raise AutograderError(f"{path}: otter_config.json is not JSON ({error})") from None
    if not isinstance(config, dict):
        raise AutograderError(f"{path}: otter_config.json must hold a JSON object")
    return config


def _refuse_other_languages(path: Path, config: dict, names: set[str]) -> None:
    language = str(config.get("lang", "python")).lower()
    r_tests = [n for n in names if n.startswith("tests/") and n.lower().endswith(".r")]
    if language != "python" or r_tests:
        raise AutograderError(
            f"{path}: an R assignment (lang: {language}"
            f"{', tests ' + ', '.join(sorted(r_tests)[:3]) if r_tests else ''}); this pipeline "
            "grades Python assignments: grade it with `otter grade`"
        )


def _test_sources(path: Path, zf: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """``tests/<name>.py`` -> its text, as Otter's runner globs them (``./tests/*.py``)."""
    sources = {}
    for name in sorted(names):
        member = PurePosixPath(name)
        if member.parent != PurePosixPath("tests") or member.suffix != ".py":
            continue
        if member.name == "__init__.py":
            continue
        if zf.getinfo(name).file_size > MAX_TEST_BYTES:
            raise AutograderError(f"{path}: {name} is larger than {MAX_TEST_BYTES} bytes")
        try:
            sources[name] = zf.read(name).decode("utf-8")
        except UnicodeDecodeError:
            raise AutograderError(f"{path}: {name} is not UTF-8 text") from None
    return sources


def _questions(path: Path, tests: dict[str, str]) -> tuple[dict[str, float], set[str]]:
    """Question -> points and the formats found, by Otter's own parser (``create_test_file``)."""
    from otter.nbmeta_config import NBMetadataConfig
    from otter.test_files import OKTestFile, create_test_file

    questions: dict[str, float] = {}
    formats: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="autograder-tests-") as tmp:
        for name, source in tests.items():
            file = Path(tmp) / PurePosixPath(name).name
            file.write_text(source, encoding="utf-8")
            try:
                test_file = create_test_file(str(file), NBMetadataConfig())
            except Exception as error:  # the instructor's file: say which and why
                why = f"{type(error).__name__}: {error}".strip()
                raise AutograderError(f"{path}: {name} is not an Otter test file ({why})") from None
            if test_file.name in questions:
                raise AutograderError(f"{path}: two test files define question {test_file.name}")
            questions[test_file.name] = float(test_file.possible)
            formats.add("ok" if isinstance(test_file, OKTestFile) else "exception")
    return questions, formats


def _number(path: Path, config: dict, key: str) -> float | None:
    value = config.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AutograderError(f"{path}: otter_config.json's {key} must be a number, not {value!r}")
    return float(value)


def _limits(path: Path, config: dict) -> dict[str, float]:
    """The limits the assignment sets under ``grading`` (``{"cell_timeout": 120, ...}``)."""
    where = f"{path}: otter_config.json's {SETTINGS_KEY!r}"
    settings = config.get(SETTINGS_KEY, {})
    if isinstance(settings, dict):
        settings = {k: v for k, v in settings.items() if k != KEEP_OUTPUTS_KEY}
    return assignment_limits(settings, where)


def _keep_outputs(path: Path, config: dict) -> tuple[str, ...] | None:
    """The cells whose outputs to keep, as the build wrote them under ``grading``."""
    settings = config.get(SETTINGS_KEY, {})
    cells = settings.get(KEEP_OUTPUTS_KEY) if isinstance(settings, dict) else None
    if cells is None:
        return None
    if (
        not isinstance(cells, list)
        or len(cells) > MAX_KEPT_CELLS
        or not all(isinstance(c, str) and 0 < len(c) <= 200 for c in cells)
    ):
        raise AutograderError(
            f"{path}: otter_config.json's {SETTINGS_KEY!r}.{KEEP_OUTPUTS_KEY} must be a list of"
            f" at most {MAX_KEPT_CELLS} cell ids"
        )
    return tuple(cells)


def assignment_limits(settings: object, where: str) -> dict[str, float]:
    """``settings`` checked as an assignment's limits; ``where`` names its file in errors."""
    if not isinstance(settings, dict):
        raise AutograderError(f'{where} must be an object such as {{"cell_timeout": 120}}')
    limits = {}
    for key, value in settings.items():
        if key not in ASSIGNMENT_LIMITS:
            known = ", ".join(ASSIGNMENT_LIMITS)
            raise AutograderError(f"{where} has an unknown key {key!r} (known: {known})")
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if number is None or not math.isfinite(number) or number <= 0:
            unit = ASSIGNMENT_LIMITS[key]
            raise AutograderError(
                f"{where}: {key} must be a positive number of {unit}, not {value!r}"
            )
        if key == "memory_mb" and number != int(number):
            raise AutograderError(f"{where}: memory_mb must be a whole number of MB, not {value!r}")
        limits[key] = int(number) if key == "memory_mb" else float(number)
    return limits


def _needs_otter_run(config: dict) -> str:
    """Why Otter itself must grade this zip ("" when the warm engine honours everything).

    Plugins run instructor code inside Otter's own process (``before_execution`` may rewrite
    the notebook, ``after_grading`` may change scores), and ``grade_from_log`` rebuilds the
    student's values from the pickled log the notebook ships: neither has a place in a grader
    that never runs student code nor unpickles what a student sent.
    """
    reasons = []
    plugins = config.get("plugins") or []
    if plugins:
        names = [next(iter(p)) if isinstance(p, dict) and p else str(p) for p in plugins]
        reasons.append(f"Otter plugins ({', '.join(names)})")
    if config.get("grade_from_log"):
        reasons.append("grade_from_log")
    return " and ".join(reasons)
