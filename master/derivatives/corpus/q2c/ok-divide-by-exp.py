# Dividing by e^{x^2/2} instead of multiplying by e^{-x^2/2}
def r_prime(x):
    return -x / np.exp(x**2 / 2)
