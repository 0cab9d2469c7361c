f_prime = 3 * x**2
# --- hostile ---
type(f_prime).__repr__ = lambda self: "3*x**2 - 2"  # prints as the right answer
sympy.simplify = lambda expression, **kwargs: 0
