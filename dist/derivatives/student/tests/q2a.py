from otter.test_files import test_case

OK_FORMAT = False

name = "q2a"
points = 1.25
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q2a_public(p_prime):
    import numpy as np
    assert callable(p_prime), 'Define p_prime as a function of x.'
    value = p_prime(0.7)
    assert np.ndim(value) == 0, 'p_prime(0.7) should return a single number.'
    p = lambda t: np.sin(t ** 3)
    numeric = (p(0.7 + 1e-05) - p(0.7 - 1e-05)) / 2e-05
    assert np.isclose(value, numeric, rtol=1e-06), 'p_prime(0.7) disagrees with a centered difference of p.'

