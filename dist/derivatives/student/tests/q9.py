from otter.test_files import test_case

OK_FORMAT = False

name = "q9"
points = 8.5
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q9_public(bce_from_logit, bce_grad):
    import numpy as np
    assert callable(bce_from_logit) and callable(bce_grad), 'Define bce_from_logit and bce_grad.'
    s = lambda t: 1 / (1 + np.exp(-t))
    naive = -0.3 * np.log(s(0.8)) - 0.7 * np.log(1 - s(0.8))
    assert np.isclose(bce_from_logit(0.8, 0.3), naive), 'bce_from_logit(0.8, 0.3) disagrees with the definition.'
    numeric = (bce_from_logit(0.8 + 1e-05, 1.0) - bce_from_logit(0.8 - 1e-05, 1.0)) / 2e-05
    assert np.isclose(bce_grad(0.8, 1.0), numeric, rtol=1e-05), 'bce_grad(0.8, 1) disagrees with a centered difference of the loss.'

