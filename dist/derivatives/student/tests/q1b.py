from otter.test_files import test_case

OK_FORMAT = False

name = "q1b"
points = 2
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q1b_public(g_prime):
    import numpy as np
    assert callable(g_prime), 'Define g_prime as a function of x.'
    value = g_prime(1.0)
    assert np.ndim(value) == 0, 'g_prime(1.0) should return a single number.'
    g = lambda t: np.sqrt(t) * np.exp(t)
    numeric = (g(1.0 + 1e-05) - g(1.0 - 1e-05)) / 2e-05
    assert np.isclose(value, numeric, rtol=1e-06), 'g_prime(1.0) disagrees with a centered difference of g.'

