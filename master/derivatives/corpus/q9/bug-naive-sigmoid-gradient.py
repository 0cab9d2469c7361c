# Stable loss, but the gradient uses 1 / (1 + e^-a), which overflows for a = -1000
def bce_from_logit(a, y):
    a = np.asarray(a, dtype=float)
    return np.maximum(a, 0) - a * y + np.log1p(np.exp(-np.abs(a)))


def bce_grad(a, y):
    return 1 / (1 + np.exp(-a)) - y
