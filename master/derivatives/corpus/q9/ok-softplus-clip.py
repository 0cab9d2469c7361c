# softplus(a) = max(a, 0) + log1p(e^-|a|), with clip for the max; sigma = exp(-softplus(-a))
def bce_from_logit(a, y):
    a = np.asarray(a, dtype=float)
    softplus = np.clip(a, 0, None) + np.log1p(np.exp(-np.abs(a)))
    return softplus - a * y


def bce_grad(a, y):
    return np.exp(-np.logaddexp(0.0, -np.asarray(a, dtype=float))) - y
