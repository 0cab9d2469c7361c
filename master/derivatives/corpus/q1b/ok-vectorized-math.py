# Scalar math-module formula made elementwise with np.vectorize
import math


def _g_prime_scalar(t):
    u, du = math.sqrt(t), 1 / (2 * math.sqrt(t))  # u = sqrt(t)
    v, dv = math.exp(t), math.exp(t)  # v = e^t
    return du * v + u * dv


g_prime = np.vectorize(_g_prime_scalar, otypes=[float])
