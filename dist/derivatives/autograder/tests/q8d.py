from otter.test_files import test_case

OK_FORMAT = False

name = "q8d"
points = 3
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q8d_public(train_losses):
    import numpy as np
    losses = np.asarray(train_losses, dtype=float)
    assert losses.shape == (200,), 'train_losses should hold 200 losses.'
    assert np.all(np.isfinite(losses)) and np.all(losses >= 0), 'Losses are finite and non-negative.'

@test_case(points=None, hidden=True)
def test_q8d_hidden(train_losses, net_loss, net_gradients):
    import numpy as np

    def run(loss_fn, grad_fn):
        w1, b1, w2, b2 = (0.5, -0.3, 1.2, 0.1)
        out = []
        for _ in range(200):
            out.append(float(loss_fn(1.5, 0.7, w1, b1, w2, b2)))
            g = grad_fn(1.5, 0.7, w1, b1, w2, b2)
            w1, b1 = (w1 - 0.5 * float(g['w1']), b1 - 0.5 * float(g['b1']))
            w2, b2 = (w2 - 0.5 * float(g['w2']), b2 - 0.5 * float(g['b2']))
        return np.array(out)

    def ref_loss(x, y, w1, b1, w2, b2):
        a1 = 1 / (1 + np.exp(-(w1 * x + b1)))
        return 0.5 * (1 / (1 + np.exp(-(w2 * a1 + b2))) - y) ** 2

    def ref_grads(x, y, w1, b1, w2, b2):
        a1 = 1 / (1 + np.exp(-(w1 * x + b1)))
        y_hat = 1 / (1 + np.exp(-(w2 * a1 + b2)))
        d2 = (y_hat - y) * y_hat * (1 - y_hat)
        d1 = d2 * w2 * a1 * (1 - a1)
        return {'w1': d1 * x, 'b1': d1, 'w2': d2 * a1, 'b2': d2}
    losses = np.asarray(train_losses, dtype=float)
    assert losses.shape == (200,)
    if np.allclose(losses, run(ref_loss, ref_grads), rtol=1e-07, atol=1e-15):
        return
    own = run(net_loss, net_gradients)
    assert np.allclose(losses, own, rtol=1e-07, atol=1e-15)

