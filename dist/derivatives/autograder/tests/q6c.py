from otter.test_files import test_case

OK_FORMAT = False

name = "q6c"
points = 2.5
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q6c_public(mvt_secant_slope, mvt_points):
    import numpy as np
    assert np.ndim(mvt_secant_slope) == 0 and np.isfinite(mvt_secant_slope), 'mvt_secant_slope should be one number.'
    points = np.asarray(mvt_points, dtype=float)
    assert points.ndim == 1 and points.size >= 1, 'mvt_points should be a list of numbers.'
    assert np.all((points > -2) & (points < 2)), 'MVT points lie strictly inside (-2, 2).'
    assert np.all(np.diff(points) > 0), 'List mvt_points in increasing order, each once.'

@test_case(points=None, hidden=True)
def test_q6c_hidden(mvt_secant_slope, mvt_points):
    import numpy as np
    assert np.isclose(float(mvt_secant_slope), 3.0)
    assert np.allclose(np.asarray(mvt_points, dtype=float), [-2 / np.sqrt(3), 2 / np.sqrt(3)], rtol=1e-09)

