from otter.test_files import test_case

OK_FORMAT = False

name = "q1a"
points = 1
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q1a_public(f_prime):
    import numpy as np
    assert callable(f_prime), 'Define f_prime as a function of x.'
    value = f_prime(1.0)
    assert np.ndim(value) == 0, 'f_prime(1.0) should return a single number.'
    f = lambda t: 3 * t ** 4 - 2 * t ** 2 + 7 * t - 1
    numeric = (f(1.0 + 1e-05) - f(1.0 - 1e-05)) / 2e-05
    assert np.isclose(value, numeric, rtol=1e-06), 'f_prime(1.0) disagrees with a centered difference of f.'

