# The math module only handles single floats, not arrays
import math


def f7(x):
    """f(x) = x ln(x + e^-x) (given)."""
    return x * np.log(x + np.exp(-x))


def f7_prime(x):
    u = x + math.exp(-x)
    return math.log(u) + x * (1 - math.exp(-x)) / u
