# Inner derivative of 1 + x^2 taken as 2 instead of 2x
def s_prime(x):
    return 10 * (1 + x**2) ** 9 * 2
