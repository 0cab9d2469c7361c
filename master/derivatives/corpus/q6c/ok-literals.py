# Worked out by hand: (6 - (-6)) / 4 = 3 and 3c^2 - 1 = 3 gives c = +-2/sqrt(3)
def f6(x):
    return x**3 - x


def f6_prime(x):
    return 3 * x**2 - 1


mvt_secant_slope = 3.0
mvt_points = [-2 / np.sqrt(3), 2 / np.sqrt(3)]

header("Exercise 6: Mean Value Theorem")
for c in mvt_points:
    check_close(f"f'({c:+.4f}) = secant slope", f6_prime(c), mvt_secant_slope)
