# Chain rule without the inner derivative 3x^2
def p_prime(x):
    return np.cos(x**3)
