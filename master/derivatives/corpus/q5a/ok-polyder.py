# NumPy's polyder on the expanded coefficients; the root is read off 4(x - 1)^3
f5_coefficients = [1, -4, 6, -4, 1]


def f5_prime(x):
    return np.polyval(np.polyder(f5_coefficients), x)


critical_points = [1.0]  # 4 (x - 1)^3 = 0  =>  x = 1
