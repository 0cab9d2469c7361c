# Sign error on the middle term
def f_prime(x):
    return 12 * x**3 + 4 * x + 7
