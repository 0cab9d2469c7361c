from otter.test_files import test_case

OK_FORMAT = False

name = "q2d"
points = 1.25
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q2d_public(s_prime):
    import numpy as np
    assert callable(s_prime), 'Define s_prime as a function of x.'
    value = s_prime(0.3)
    assert np.ndim(value) == 0, 's_prime(0.3) should return a single number.'
    s = lambda t: (1 + t ** 2) ** 10
    numeric = (s(0.3 + 1e-05) - s(0.3 - 1e-05)) / 2e-05
    assert np.isclose(value, numeric, rtol=1e-06), 's_prime(0.3) disagrees with a centered difference of s.'

