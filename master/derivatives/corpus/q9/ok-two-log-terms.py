# The definition term by term: -log sigma(a) = logaddexp(0, -a), -log(1 - sigma(a)) = logaddexp(0, a)
def bce_from_logit(a, y):
    return y * np.logaddexp(0.0, -a) + (1 - y) * np.logaddexp(0.0, a)


def bce_grad(a, y):
    return expit(a) - y
