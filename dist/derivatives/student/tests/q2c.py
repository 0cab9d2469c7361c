from otter.test_files import test_case

OK_FORMAT = False

name = "q2c"
points = 1.25
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q2c_public(r_prime):
    import numpy as np
    assert callable(r_prime), 'Define r_prime as a function of x.'
    value = r_prime(0.4)
    assert np.ndim(value) == 0, 'r_prime(0.4) should return a single number.'
    r = lambda t: np.exp(-t ** 2 / 2)
    numeric = (r(0.4 + 1e-05) - r(0.4 - 1e-05)) / 2e-05
    assert np.isclose(value, numeric, rtol=1e-06), 'r_prime(0.4) disagrees with a centered difference of r.'

