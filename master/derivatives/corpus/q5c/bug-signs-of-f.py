# Signs of f instead of f' (always positive), so "neither"
sign_change = (int(np.sign(f5(0.5))), int(np.sign(f5(1.5))))
critical_point_type = "neither"
