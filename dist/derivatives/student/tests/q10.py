from otter.test_files import test_case

OK_FORMAT = False

name = "q10"
points = 14.5
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q10_public(tanh_net_loss, tanh_net_grads):
    import numpy as np
    assert callable(tanh_net_loss) and callable(tanh_net_grads), 'Define tanh_net_loss and tanh_net_grads.'
    W = np.array([[0.3, -0.1], [0.2, 0.4], [-0.6, 0.1]])
    b, v, x = (np.array([0.0, 0.1, -0.1]), np.array([0.5, -0.3, 0.8]), np.array([0.9, -0.4]))
    loss = tanh_net_loss(W, b, v, 0.2, x, 0.1)
    assert np.ndim(loss) == 0 and loss >= 0, 'tanh_net_loss should return one non-negative number.'
    grads = tanh_net_grads(W, b, v, 0.2, x, 0.1)
    assert isinstance(grads, dict) and set(grads) == {'v', 'c', 'W', 'b', 'x'}, 'Return a dict with keys v, c, W, b, x.'
    shapes = {'v': (3,), 'c': (), 'W': (3, 2), 'b': (3,), 'x': (2,)}
    for key, shape in shapes.items():
        assert np.shape(grads[key]) == shape, f'grads[{key!r}] should have shape {shape}.'
    step = 1e-06
    numeric = (tanh_net_loss(W, b, v, 0.2 + step, x, 0.1) - tanh_net_loss(W, b, v, 0.2 - step, x, 0.1)) / (2 * step)
    assert np.isclose(grads['c'], numeric, rtol=1e-05), "grads['c'] disagrees with a centered difference of the loss."

