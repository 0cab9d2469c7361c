# The function itself is stored, not its value at x = 1
def f5_double_prime(x):
    return 12 * (x - 1) ** 2


second_derivative_at_critical = f5_double_prime
second_test_conclusive = False
