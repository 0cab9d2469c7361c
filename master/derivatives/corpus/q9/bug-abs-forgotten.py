# The stable formula with e^-a instead of e^-|a|: overflows for a = -1000
def bce_from_logit(a, y):
    return np.maximum(a, 0) - a * y + np.log1p(np.exp(-a))


def bce_grad(a, y):
    return expit(a) - y
