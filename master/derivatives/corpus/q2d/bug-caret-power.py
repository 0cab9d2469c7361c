# ^ used for powers (it is XOR in Python)
def s_prime(x):
    return 20 * x * (1 + x ^ 2) ^ 9
