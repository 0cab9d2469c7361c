"""Self-check helpers that print PASS/FAIL lines in the notebook.

Use them to check your own answers as you work: each check prints one line and
returns True/False, so you can also count how many checks passed.
"""

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["check_close", "check_true", "header"]


def header(title: str) -> None:
    """Print ``title`` framed by lines of ``=`` to separate sections of output."""
    print("\n" + "=" * len(title))
    print(title)
    print("=" * len(title))


def check_true(name: str, cond: Any) -> bool:
    """Print ``PASS - name`` if ``cond`` is truthy, else ``FAIL - name``; return the result."""
    ok = bool(cond)
    print(f"{'PASS' if ok else 'FAIL'} - {name}")
    return ok


def _allclose(got: ArrayLike, expected: ArrayLike, tol: float) -> bool:
    """``np.allclose`` that returns False instead of raising for incomparable values.

    Shapes must match exactly (so a column vector never silently broadcasts against
    a row); the only broadcasting allowed is against a single number. NaN is never
    close to anything.
    """
    try:
        got_arr = np.asarray(got)
        expected_arr = np.asarray(expected)
        if got_arr.shape != expected_arr.shape and 0 not in (got_arr.ndim, expected_arr.ndim):
            return False
        return bool(np.allclose(got_arr, expected_arr, atol=tol, rtol=tol))
    except (TypeError, ValueError):
        return False


def check_close(name: str, got: ArrayLike, expected: ArrayLike, tol: float = 1e-8) -> bool:
    """Check that ``got`` matches ``expected`` to within ``tol`` (absolute and relative).

    Prints ``PASS - name: got ..., expected ...`` (or ``FAIL - ...``) and returns
    the result. Arrays are compared elementwise; a shape mismatch, a NaN or a value
    that is not a number counts as FAIL instead of raising an error.
    """
    ok = _allclose(got, expected, tol)
    print(f"{'PASS' if ok else 'FAIL'} - {name}: got {got}, expected {expected}")
    return ok
