# The math module only handles single floats, not arrays
import math


def f7_prime(x):
    u = x + math.exp(-x)
    return math.log(u) + x * (1 - math.exp(-x)) / u
