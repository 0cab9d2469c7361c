"""Finite-difference derivatives and a gradient checker.

A derivative is a limit of difference quotients. These helpers evaluate the
quotient for a small but finite step ``h`` so you can compare a numerical
derivative with the one you derived by hand, and watch how the error depends on
``h`` (truncation error shrinks with ``h``, round-off error grows as ``h`` -> 0).
"""

from collections.abc import Callable
from math import isfinite
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["backward_diff", "centered_diff", "forward_diff", "grad_check"]

#: A function the differences are applied to. It receives a float (for scalar ``x``)
#: or a float array (for array ``x``) and must act elementwise on it.
ElementwiseFunc = Callable[[Any], ArrayLike]


def _check_step(h: float) -> float:
    """Return ``h`` as a float, or raise ValueError unless it is positive and finite."""
    try:
        step = float(h)
    except (TypeError, ValueError):
        raise ValueError(f"step h must be a positive finite number, got {h!r}") from None
    if not (isfinite(step) and step > 0.0):
        raise ValueError(f"step h must be a positive finite number, got {h!r}")
    return step


def _as_float(x: ArrayLike) -> Any:
    """Convert ``x`` to float (a NumPy float for scalars, a float array otherwise).

    Integers are converted first so that ``x + h`` is never truncated.
    """
    arr = np.asarray(x, dtype=float)
    return arr[()] if arr.ndim == 0 else arr


def _shaped_like(result: ArrayLike, x: Any) -> float | NDArray[np.float64]:
    """Return ``result`` as floats with exactly the shape of ``x``.

    A single number (from a constant ``f``) is spread over the shape of ``x``; any
    other shape mismatch means ``f`` did not act elementwise and raises ValueError.
    """
    out = np.asarray(result, dtype=float)
    shape = np.shape(x)
    if out.shape != shape:
        if out.ndim != 0:
            raise ValueError(
                f"f returned shape {out.shape} for an input of shape {shape}; "
                "f must be applied elementwise"
            )
        out = np.full(shape, out)  # e.g. a constant f that returns a plain number
    return out[()] if out.ndim == 0 else out


def forward_diff(f: ElementwiseFunc, x: ArrayLike, h: float = 1e-6) -> float | NDArray[np.float64]:
    """Forward difference ``(f(x + h) - f(x)) / h``, an O(h) approximation of ``f'(x)``.

    ``x`` may be a number or an array of any shape; the result has the same shape.
    Raises ValueError if ``h`` is not a positive finite number.
    """
    step = _check_step(h)
    xf = _as_float(x)
    return _shaped_like((f(xf + step) - f(xf)) / step, xf)


def backward_diff(f: ElementwiseFunc, x: ArrayLike, h: float = 1e-6) -> float | NDArray[np.float64]:
    """Backward difference ``(f(x) - f(x - h)) / h``, an O(h) approximation of ``f'(x)``.

    ``x`` may be a number or an array of any shape; the result has the same shape.
    Raises ValueError if ``h`` is not a positive finite number.
    """
    step = _check_step(h)
    xf = _as_float(x)
    return _shaped_like((f(xf) - f(xf - step)) / step, xf)


def centered_diff(f: ElementwiseFunc, x: ArrayLike, h: float = 1e-6) -> float | NDArray[np.float64]:
    """Centred difference ``(f(x + h) - f(x - h)) / (2h)``, an O(h^2) approximation of ``f'(x)``.

    More accurate than the one-sided differences for the same ``h`` (exact for
    quadratics). ``x`` may be a number or an array of any shape; the result has the
    same shape. Raises ValueError if ``h`` is not a positive finite number.
    """
    step = _check_step(h)
    xf = _as_float(x)
    return _shaped_like((f(xf + step) - f(xf - step)) / (2.0 * step), xf)


def _scalar_value(value: ArrayLike) -> float:
    """Return the output of a scalar-valued function as a float."""
    arr = np.asarray(value, dtype=float)
    if arr.size != 1:
        raise ValueError(f"f must return a single number, got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def grad_check(
    f: Callable[[NDArray[np.float64]], ArrayLike],
    x: ArrayLike,
    analytic_grad: ArrayLike,
    h: float = 1e-6,
) -> float:
    """Compare a hand-derived gradient of a scalar function with a numerical one.

    Each partial derivative of ``f`` at ``x`` (an array of any shape) is estimated
    with a centred difference, and the relative error
    ``||a - n|| / (||a|| + ||n|| + 1e-12)`` between the analytic gradient ``a`` and
    the numerical gradient ``n`` is returned: roughly 1e-8 or less means the
    gradient is right, while e.g. a gradient off by a factor 2 gives 1/3.
    The caller's ``x`` is never modified. Raises ValueError if ``analytic_grad``
    does not have the shape of ``x`` or ``h`` is not a positive finite number.
    """
    step = _check_step(h)
    x0 = np.array(x, dtype=float)  # always a private copy, so the caller's x is untouched
    analytic = np.asarray(analytic_grad, dtype=float)
    if analytic.shape != x0.shape:
        raise ValueError(
            f"analytic_grad has shape {analytic.shape} but x has shape {x0.shape}; "
            "the gradient must have the same shape as x"
        )
    numeric = np.zeros_like(x0)
    for idx in np.ndindex(x0.shape):
        x_plus = x0.copy()  # fresh copies: f may modify its argument
        x_minus = x0.copy()
        x_plus[idx] += step
        x_minus[idx] -= step
        numeric[idx] = (_scalar_value(f(x_plus)) - _scalar_value(f(x_minus))) / (2.0 * step)
    denom = np.linalg.norm(analytic) + np.linalg.norm(numeric) + 1e-12
    return float(np.linalg.norm(analytic - numeric) / denom)
