from otter.test_files import test_case

OK_FORMAT = False

name = "q5a"
points = 2
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q5a_public(f5_prime, critical_points):
    import numpy as np
    assert callable(f5_prime), 'Define f5_prime as a function of x.'
    f = lambda t: (t - 1) ** 4
    numeric = (f(0.0 + 1e-05) - f(0.0 - 1e-05)) / 2e-05
    assert np.isclose(f5_prime(0.0), numeric, rtol=1e-06), 'f5_prime(0.0) disagrees with a centered difference of f.'
    points = np.asarray(critical_points, dtype=float)
    assert points.ndim == 1 and points.size >= 1, 'critical_points should be a list of numbers.'

@test_case(points=None, hidden=True)
def test_q5a_hidden(f5_prime, critical_points):
    import numpy as np
    xs = np.array([-1.0, 0.0, 0.5, 1.0, 1.5, 3.0])
    got = np.asarray(f5_prime(xs), dtype=float)
    assert got.shape == xs.shape
    assert np.allclose(got, 4 * (xs - 1) ** 3, rtol=1e-12, atol=1e-12)
    points = np.asarray(critical_points, dtype=float)
    assert points.shape == (1,), 'each critical point once'
    assert np.isclose(points[0], 1.0, atol=1e-09)

