# log(1 + e^a) = logaddexp(0, a); sigma(a) = (1 + tanh(a/2)) / 2
def bce_from_logit(a, y):
    return np.logaddexp(0.0, a) - a * y


def bce_grad(a, y):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(a, dtype=float))) - y
