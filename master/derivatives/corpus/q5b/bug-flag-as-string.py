# The flag written as a word instead of True/False
def f5_double_prime(x):
    return 12 * (x - 1) ** 2


second_derivative_at_critical = f5_double_prime(1.0)
second_test_conclusive = "inconclusive"
