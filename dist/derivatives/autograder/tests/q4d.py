from otter.test_files import test_case

OK_FORMAT = False

name = "q4d"
points = 1.5
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q4d_public(vanishing_products):
    import numpy as np
    assert isinstance(vanishing_products, dict), 'vanishing_products should be a dict {L: product}.'
    assert sorted(vanishing_products) == [1, 5, 10, 20], 'Use the keys 1, 5, 10 and 20.'
    values = [float(vanishing_products[L]) for L in (1, 5, 10, 20)]
    assert all((0 < v < 1 for v in values)), 'Each product should be a number between 0 and 1.'

@test_case(points=None, hidden=True)
def test_q4d_hidden(vanishing_products, sigmoid_prime):
    import numpy as np
    s = 1 / (1 + np.exp(-2.0))
    derivatives = [s * (1 - s)]
    try:
        derivatives.append(float(sigmoid_prime(2.0)))
    except Exception:
        pass
    got = [float(vanishing_products[L]) for L in (1, 5, 10, 20)]
    assert any((np.allclose(got, [d ** L for L in (1, 5, 10, 20)], rtol=1e-09, atol=0) for d in derivatives))

