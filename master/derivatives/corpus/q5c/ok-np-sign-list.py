# np.sign values (floats -1.0 and 1.0) in a list
sign_change = [np.sign(f5_prime(0.5)), np.sign(f5_prime(1.5))]
critical_point_type = "local minimum"
