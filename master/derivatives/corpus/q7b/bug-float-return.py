# float(...) around the result (to print it) breaks array inputs


def f7_prime(x):
    u = x + np.exp(-x)
    return float(np.log(u) + x * (1 - np.exp(-x)) / u)
