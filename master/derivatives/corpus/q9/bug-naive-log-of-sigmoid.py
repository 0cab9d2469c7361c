# The definition taken literally: log(1 - sigma(1000)) = log(0) = -inf
def bce_from_logit(a, y):
    s = expit(a)
    return -y * np.log(s) - (1 - y) * np.log(1 - s)


def bce_grad(a, y):
    return expit(a) - y
