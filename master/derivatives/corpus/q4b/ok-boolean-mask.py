# Each element goes through the branch that is safe for its sign (boolean masks)
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1 + e)
    return out


def sigmoid_prime(x):
    s = sigmoid(x)
    return s * (1 - s)
