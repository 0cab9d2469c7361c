# With u = x + e^-x: f' = ln u + x u'/u = (u ln u + x (1 - e^-x)) / u
def f7(x):
    """f(x) = x ln(x + e^-x) (given)."""
    return x * np.log(x + np.exp(-x))


def f7_prime(x):
    u = x + np.exp(-x)
    du = 1 - np.exp(-x)
    return (u * np.log(u) + x * du) / u


header("Exercise 7: Gradient Checking")
print(f"analytic f'(1.5) = {f7_prime(1.5):.10f}")
