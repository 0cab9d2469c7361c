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

@test_case(points=None, hidden=True)
def test_q9_hidden(bce_from_logit, bce_grad):
    import warnings
    import numpy as np
    a = np.array([-2.0, -0.4, 0.0, 1.7, 3.0, -30.0, 30.0])
    y = np.array([0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    loss = np.logaddexp(0.0, a) - a * y
    assert np.allclose(np.asarray(bce_from_logit(a, y), dtype=float), loss, rtol=1e-09, atol=1e-12)
    assert np.allclose(np.asarray(bce_grad(a, y), dtype=float), 1 / (1 + np.exp(-a)) - y, rtol=1e-09, atol=1e-12)
    assert np.isclose(bce_grad(0.0, 0.0), 0.5)
    for a0, y0 in [(-2.0, 0.0), (-0.4, 1.0), (1.7, 1.0), (3.0, 0.0)]:
        assert np.ndim(bce_from_logit(a0, y0)) == 0 and np.ndim(bce_grad(a0, y0)) == 0
    big = np.array([-1000.0, -1000.0, 1000.0, 1000.0])
    labels = np.array([0.0, 1.0, 0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        with np.errstate(over='raise', invalid='raise', divide='raise', under='ignore'):
            big_loss = np.asarray(bce_from_logit(big, labels), dtype=float)
            big_grad = np.asarray(bce_grad(big, labels), dtype=float)
    assert np.allclose(big_loss, [0.0, 1000.0, 1000.0, 0.0], atol=1e-09)
    assert np.allclose(big_grad, [0.0, -1.0, 1.0, 0.0], atol=1e-12)

