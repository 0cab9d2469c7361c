f_prime = sympy.diff(x**3 - 2 * x, x)
