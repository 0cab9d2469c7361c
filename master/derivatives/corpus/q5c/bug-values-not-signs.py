# The values of f' instead of their signs
sign_change = (f5_prime(0.5), f5_prime(1.5))
critical_point_type = "local minimum"
