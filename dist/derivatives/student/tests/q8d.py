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

