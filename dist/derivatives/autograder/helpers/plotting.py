"""Consistent, colour-blind-friendly plot styling for the chapter's figures.

Nothing happens at import time: call :func:`set_plot_style` once (e.g. at the top
of the notebook) to apply the style. matplotlib (and seaborn, if installed) are
only imported then.
"""

from typing import Any

__all__ = ["COLORS", "PLOT_RCPARAMS", "set_plot_style"]

#: Named colours (from Paul Tol's colour-blind-safe palette) used across the chapter.
COLORS: dict[str, str] = {
    "primary": "#0077BB",
    "secondary": "#EE7733",
    "tertiary": "#009988",
    "error": "#CC3311",
    "neutral": "#555555",
    "highlight": "#EE3377",
}

#: matplotlib rcParams applied by :func:`set_plot_style` (large, readable figures).
PLOT_RCPARAMS: dict[str, Any] = {
    "figure.figsize": (10, 6),
    "figure.dpi": 120,
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.labelsize": 13,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.framealpha": 0.85,
    "lines.linewidth": 2.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "savefig.bbox": "tight",
    "savefig.dpi": 150,
}


def set_plot_style() -> bool:
    """Apply the chapter's plot style to matplotlib and return whether seaborn was used.

    Uses seaborn's whitegrid theme with the colour-blind palette when seaborn is
    installed (returns True); otherwise falls back to matplotlib's built-in
    ``"seaborn-v0_8-whitegrid"`` style (returns False). :data:`PLOT_RCPARAMS` is
    applied on top in both cases.
    """
    import matplotlib as mpl
    from matplotlib import style as mpl_style

    try:
        import seaborn as sns
    except ImportError:
        mpl_style.use("seaborn-v0_8-whitegrid")
        used_seaborn = False
    else:
        sns.set_theme(style="whitegrid", palette="colorblind")
        used_seaborn = True
    mpl.rcParams.update(PLOT_RCPARAMS)
    return used_seaborn
