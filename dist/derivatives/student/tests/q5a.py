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

