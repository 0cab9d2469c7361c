# float(...) around the result (to print it) breaks array inputs
def f7(x):
    """f(x) = x ln(x + e^-x) (given)."""
    return x * np.log(x + np.exp(-x))


def f7_prime(x):
    u = x + np.exp(-x)
    return float(np.log(u) + x * (1 - np.exp(-x)) / u)
