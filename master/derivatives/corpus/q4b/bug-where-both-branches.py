# Stable-looking np.where, but both branches are evaluated: exp(1000) overflows
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


def sigmoid_prime(x):
    s = sigmoid(x)
    return s * (1 - s)
