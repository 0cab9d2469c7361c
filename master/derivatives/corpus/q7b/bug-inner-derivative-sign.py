# d/dx e^-x taken as +e^-x, so the inner derivative is 1 + e^-x
def f7(x):
    """f(x) = x ln(x + e^-x) (given)."""
    return x * np.log(x + np.exp(-x))


def f7_prime(x):
    return np.log(x + np.exp(-x)) + x * (1 + np.exp(-x)) / (x + np.exp(-x))
