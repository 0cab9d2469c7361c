# f'' from the expanded f' = 4x^3 - 12x^2 + 12x - 4; f''(1) = 0 written directly
def f5_double_prime(x):
    return 12 * x**2 - 24 * x + 12


second_derivative_at_critical = 0.0
second_test_conclusive = False  # f''(1) = 0: the test says nothing
