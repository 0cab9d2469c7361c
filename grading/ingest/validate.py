"""Is a file a notebook (or a Python script) the autograder can read? Say why not in words a
student understands.

Checking here, before grading, turns a confusing autograder crash into a clear rejection.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import nbformat

_MAX_REASON = 200


def _short(text: str) -> str:
    line = (text.strip().splitlines() or [""])[0]
    return line if len(line) <= _MAX_REASON else line[: _MAX_REASON - 3] + "..."


def notebook_problem(path: Path) -> str | None:
    """Why ``path`` is not a valid Jupyter notebook (nbformat 4 after conversion), or None."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return f"cannot read the file ({error.strerror})"
    if not data:
        return "empty file (0 bytes)"
    if not data.strip():
        return "empty file (only whitespace)"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return (
            f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "a notebook is a UTF-8 JSON file"
        )
    try:
        top = json.loads(text)
    except json.JSONDecodeError as error:
        return f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
    except (ValueError, RecursionError) as error:
        return f"not valid JSON ({_short(str(error)) or type(error).__name__})"
    if not isinstance(top, dict):
        return f"not a Jupyter notebook: the JSON is a {type(top).__name__}, not an object"
    if "nbformat" not in top:
        return "not a Jupyter notebook: no 'nbformat' field"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # converted to version 4; validation done once (``reads`` would do it again)
            nb = nbformat.convert(nbformat.reader.reads(text), 4)
        except Exception as error:  # nbformat raises many types on odd input
            return f"not a readable notebook: {_short(str(error)) or type(error).__name__}"
        try:
            nbformat.validate(nb)
        except nbformat.ValidationError as error:
            return f"invalid notebook: {_short(getattr(error, 'message', '') or str(error))}"
        except Exception as error:
            return f"invalid notebook: {_short(str(error)) or type(error).__name__}"
    return None


def script_problem(path: Path) -> str | None:
    """Why ``path`` is not a Python script Otter can grade (as a notebook of one cell), or None.

    Only what stops Otter from reading it: a script that does not run still grades (its tests
    fail), as under ``otter run``.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        return f"cannot read the file ({error.strerror})"
    if not data.strip():
        return "empty file (no code)"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
    return None
