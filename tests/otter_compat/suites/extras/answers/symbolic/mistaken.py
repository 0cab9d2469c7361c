f_prime = 3 * x**2  # the derivative of -2x forgotten
