"""Tests for helpers.plotting: set_plot_style with and without seaborn."""

import sys

import matplotlib as mpl
import pytest
from matplotlib.colors import is_color_like

from helpers import COLORS, PLOT_RCPARAMS, set_plot_style

mpl.use("Agg")  # headless; seaborn's set_theme imports pyplot


@pytest.fixture(autouse=True)
def _restore_rcparams():
    """Undo every rcParams change a test makes (style.use and set_theme included)."""
    with mpl.rc_context():
        yield


def assert_rcparams_applied():
    for key, value in PLOT_RCPARAMS.items():
        expected = list(value) if isinstance(value, tuple) else value
        assert mpl.rcParams[key] == expected, key


def test_colors_are_valid_hex_colors():
    assert set(COLORS) == {"primary", "secondary", "tertiary", "error", "neutral", "highlight"}
    assert COLORS["primary"] == "#0077BB"
    assert all(is_color_like(c) and c.startswith("#") and len(c) == 7 for c in COLORS.values())


def test_rcparams_are_valid_matplotlib_keys():
    assert set(PLOT_RCPARAMS) <= set(mpl.rcParams)


def test_set_plot_style_applies_rcparams():
    set_plot_style()
    assert mpl.rcParams["figure.figsize"] == [10.0, 6.0]
    assert mpl.rcParams["figure.dpi"] == 120
    assert mpl.rcParams["font.size"] == 13
    assert mpl.rcParams["axes.spines.top"] is False
    assert mpl.rcParams["savefig.bbox"] == "tight"
    assert_rcparams_applied()


def test_set_plot_style_uses_seaborn_when_available():
    import seaborn  # noqa: F401  (a dev dependency: this path must be tested, not skipped)

    assert set_plot_style() is True
    assert mpl.rcParams["axes.grid"] is True  # whitegrid theme
    assert_rcparams_applied()


def test_set_plot_style_falls_back_without_seaborn(monkeypatch):
    monkeypatch.setitem(sys.modules, "seaborn", None)  # makes `import seaborn` raise ImportError
    mpl.rcParams["axes.grid"] = False
    assert set_plot_style() is False
    assert mpl.rcParams["axes.grid"] is True  # from the seaborn-v0_8-whitegrid style
    assert_rcparams_applied()


def test_style_does_not_leak_between_tests():
    # Runs after the tests above (file order): the fixture restored the defaults.
    assert mpl.rcParams["font.size"] == mpl.rcParamsDefault["font.size"]
