# Inner derivative taken as -2x (the /2 forgotten)
def r_prime(x):
    return -2 * x * np.exp(-(x**2) / 2)
