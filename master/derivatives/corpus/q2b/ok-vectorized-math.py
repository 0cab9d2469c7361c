# Scalar math-module formula (outer ln, inner cos), made elementwise
import math

q_prime = np.vectorize(lambda t: (1 / math.cos(t)) * (-math.sin(t)), otypes=[float])
