# With u = x + e^-x: f' = ln u + x u'/u = (u ln u + x (1 - e^-x)) / u


def f7_prime(x):
    u = x + np.exp(-x)
    du = 1 - np.exp(-x)
    return (u * np.log(u) + x * du) / u
