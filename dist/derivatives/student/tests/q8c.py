from otter.test_files import test_case

OK_FORMAT = False

name = "q8c"
points = 4
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q8c_public(net_loss, net_gradients):
    import numpy as np
    assert callable(net_loss) and callable(net_gradients), 'Define net_loss and net_gradients.'
    loss = net_loss(1.0, 0.5, 0.2, 0.1, -0.4, 0.3)
    assert np.ndim(loss) == 0 and loss >= 0, 'net_loss should return one non-negative number.'
    grads = net_gradients(1.0, 0.5, 0.2, 0.1, -0.4, 0.3)
    assert isinstance(grads, dict) and set(grads) == {'w1', 'b1', 'w2', 'b2'}, 'net_gradients should return a dict with keys w1, b1, w2, b2.'
    step = 1e-05
    numeric = (net_loss(1.0, 0.5, 0.2, 0.1, -0.4, 0.3 + step) - net_loss(1.0, 0.5, 0.2, 0.1, -0.4, 0.3 - step)) / (2 * step)
    assert np.isclose(grads['b2'], numeric, rtol=1e-05, atol=1e-10), "grads['b2'] disagrees with a centered difference of net_loss."

