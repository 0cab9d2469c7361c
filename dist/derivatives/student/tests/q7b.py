from otter.test_files import test_case

OK_FORMAT = False

name = "q7b"
points = 3.5
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q7b_public(f7_prime):
    import numpy as np
    assert callable(f7_prime), 'Define f7_prime as a function of x.'
    f = lambda t: t * np.log(t + np.exp(-t))
    numeric = (f(0.8 + 1e-05) - f(0.8 - 1e-05)) / 2e-05
    assert np.isclose(f7_prime(0.8), numeric, rtol=1e-06), 'f7_prime(0.8) disagrees with a centered difference of f.'

