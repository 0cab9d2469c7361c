# -x e^{-x^2/2}, with x*x and 0.5 instead of x**2 / 2
def r_prime(x):
    return -x * np.exp(-0.5 * x * x)
