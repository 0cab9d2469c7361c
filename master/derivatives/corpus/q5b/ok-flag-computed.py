# The test is conclusive exactly when f'' at the critical point is nonzero
def f5_double_prime(x):
    return 12 * (x - 1) * (x - 1)


second_derivative_at_critical = f5_double_prime(1.0)
second_test_conclusive = bool(second_derivative_at_critical != 0)
