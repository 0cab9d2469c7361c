# The type derived from the signs with an if / elif chain
left = 1 if f5_prime(0.5) > 0 else (-1 if f5_prime(0.5) < 0 else 0)
right = 1 if f5_prime(1.5) > 0 else (-1 if f5_prime(1.5) < 0 else 0)
sign_change = (left, right)
if sign_change == (-1, 1):
    critical_point_type = "local minimum"
elif sign_change == (1, -1):
    critical_point_type = "local maximum"
else:
    critical_point_type = "neither"
