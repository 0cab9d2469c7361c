from otter.test_files import test_case

OK_FORMAT = False

name = "q3d"
points = 1
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q3d_public(horizontal_tangent_points):
    import numpy as np
    points = np.asarray(horizontal_tangent_points, dtype=float)
    assert points.ndim == 2 and points.shape[1] == 2, 'Give a list of (x, y) pairs.'
    on_ellipse = points[:, 0] ** 2 / 4 + points[:, 1] ** 2 / 9
    assert np.allclose(on_ellipse, 1.0), 'Every point must lie on the ellipse.'

@test_case(points=None, hidden=True)
def test_q3d_hidden(horizontal_tangent_points):
    import numpy as np
    points = np.asarray(horizontal_tangent_points, dtype=float)
    assert points.shape == (2, 2)
    found = sorted((tuple(np.round(p, 9) + 0.0) for p in points))
    assert found == [(0.0, -3.0), (0.0, 3.0)]

