# Chain rule without the inner derivative 2x
def s_prime(x):
    return 10 * (1 + x**2) ** 9
