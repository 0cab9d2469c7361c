# The /2 lands outside the exponential: -x e^{-x^2} / 2
def r_prime(x):
    return -x * np.exp(-(x**2)) / 2
