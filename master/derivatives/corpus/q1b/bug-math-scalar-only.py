# The math module only handles single floats, not arrays
import math


def g_prime(x):
    return math.exp(x) * (math.sqrt(x) + 1 / (2 * math.sqrt(x)))
