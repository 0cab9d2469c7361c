# Scalar math-module chain rule, made elementwise with np.vectorize
import math

p_prime = np.vectorize(lambda t: 3 * t**2 * math.cos(t**3), otypes=[float])
