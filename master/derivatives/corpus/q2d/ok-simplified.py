# 10 * 2x folded into 20x
def s_prime(x):
    return 20 * x * (1 + x**2) ** 9
