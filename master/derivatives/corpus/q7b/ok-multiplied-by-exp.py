# The fraction multiplied through by e^x: x (e^x - 1) / (x e^x + 1)


def f7_prime(x):
    return np.log(x + np.exp(-x)) + x * (np.exp(x) - 1) / (x * np.exp(x) + 1)
