# Scalar code with an if on the sign, made elementwise by np.vectorize
import math


def _sigmoid_scalar(t):
    if t >= 0:
        return 1 / (1 + math.exp(-t))
    e = math.exp(t)
    return e / (1 + e)


sigmoid = np.vectorize(_sigmoid_scalar, otypes=[float])


def sigmoid_prime(x):
    s = sigmoid(x)
    return s * (1 - s)
