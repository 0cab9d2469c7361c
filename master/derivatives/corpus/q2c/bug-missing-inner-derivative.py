# Chain rule without the inner derivative -x
def r_prime(x):
    return np.exp(-(x**2) / 2)
