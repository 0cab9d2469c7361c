# Second power rule applied to (x - 1)^3 only, the 4 from f' dropped
def f5_double_prime(x):
    return 3 * (x - 1) ** 2


second_derivative_at_critical = f5_double_prime(1.0)
second_test_conclusive = False
