# sigma(x) = (1 + tanh(x/2)) / 2, and tanh never overflows
def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def sigmoid_prime(x):
    s = sigmoid(x)
    return s * (1 - s)
