# log(1 + e^a) - a y with np.exp(a): overflows for a = 1000
def bce_from_logit(a, y):
    return np.log(1 + np.exp(a)) - a * y


def bce_grad(a, y):
    return expit(a) - y
