# Evaluated at the integer 1, and the flag as a comparison
def f5_double_prime(x):
    return 3 * 4 * (x - 1) ** 2


second_derivative_at_critical = f5_double_prime(1)
second_test_conclusive = second_derivative_at_critical > 0 or second_derivative_at_critical < 0
