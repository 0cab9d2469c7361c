# Signs worked out by hand: f'(0.5) = -0.5 < 0, f'(1.5) = 0.5 > 0
sign_change = (-1, 1)
critical_point_type = "local minimum"
