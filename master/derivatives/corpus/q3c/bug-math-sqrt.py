# math.sqrt only takes single numbers, not arrays
import math


def y_upper(x):
    return 3 * math.sqrt(1 - x**2 / 4)


numerical_slope = centered_diff(y_upper, 1.0)
