# (1 + x^2)^9 written as (1 + x^2)^10 / (1 + x^2)
def s_prime(x):
    u = 1 + x**2
    return 10 * u**10 / u * 2 * x
