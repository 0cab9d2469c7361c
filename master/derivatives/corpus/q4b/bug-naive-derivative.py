# Stable sigmoid, but sigma' written as e^-x / (1 + e^-x)^2, which overflows
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_prime(x):
    return np.exp(-x) / (1 + np.exp(-x)) ** 2
