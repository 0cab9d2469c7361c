from otter.test_files import test_case

OK_FORMAT = False

name = "q3b"
points = 1.5
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q3b_public(dydx_ellipse, slope_at_point):
    import numpy as np
    assert callable(dydx_ellipse), 'Define dydx_ellipse as a function of x and y.'
    x = 0.6
    y_upper = lambda t: 3 * np.sqrt(1 - t ** 2 / 4)
    numeric = (y_upper(x + 1e-06) - y_upper(x - 1e-06)) / 2e-06
    value = dydx_ellipse(x, y_upper(x))
    assert np.ndim(value) == 0, 'dydx_ellipse(x, y) should return a single number.'
    assert np.isclose(value, numeric, rtol=1e-05), 'dydx_ellipse disagrees with the slope of the upper half at x = 0.6.'
    assert np.ndim(slope_at_point) == 0 and np.isfinite(slope_at_point), 'slope_at_point should be one finite number.'

