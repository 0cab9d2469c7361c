# log sigma(x) = -log(1 + e^-x) = -logaddexp(0, -x), computed without overflow
def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


def sigmoid_prime(x):
    # sigma(x) (1 - sigma(x)) = sigma(x) sigma(-x)
    return np.exp(-np.logaddexp(0.0, -x) - np.logaddexp(0.0, x))
