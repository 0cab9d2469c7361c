"""Helpers for the chapter "Derivatives and Differentiation".

Import what you need in the notebook, e.g.::

    from helpers import centered_diff, check_close, set_plot_style

- Numerical derivatives: :func:`forward_diff`, :func:`backward_diff`,
  :func:`centered_diff` (numbers or arrays) and :func:`grad_check` (compare a
  hand-derived gradient with a numerical one).
- Self-checks that print PASS/FAIL lines: :func:`header`, :func:`check_true`,
  :func:`check_close`.
- Plotting: :data:`COLORS`, :data:`PLOT_RCPARAMS` and :func:`set_plot_style`.
- Before you submit: :func:`check_submission` lists unanswered questions and failing public
  checks, running the saved notebook top to bottom in a fresh kernel.

Importing this package only needs NumPy and changes no global state; the plot
style is applied only when you call :func:`set_plot_style`.
"""

from helpers.checks import check_close, check_true, header
from helpers.differences import backward_diff, centered_diff, forward_diff, grad_check
from helpers.plotting import COLORS, PLOT_RCPARAMS, set_plot_style
from helpers.validate import check_submission

__all__ = [
    "COLORS",
    "PLOT_RCPARAMS",
    "backward_diff",
    "centered_diff",
    "check_close",
    "check_submission",
    "check_true",
    "forward_diff",
    "grad_check",
    "header",
    "set_plot_style",
]
