# A centered difference instead of the analytic derivative (only ~1e-10 accurate)


def f7_prime(x):
    return centered_diff(f7, x)
