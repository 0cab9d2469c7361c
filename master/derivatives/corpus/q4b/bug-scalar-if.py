# An if on the sign only works for a single number, not for arrays
def sigmoid(x):
    if x >= 0:
        return 1 / (1 + np.exp(-x))
    return np.exp(x) / (1 + np.exp(x))


def sigmoid_prime(x):
    s = sigmoid(x)
    return s * (1 - s)
