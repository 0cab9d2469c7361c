# Treats the triple root (f''(1) = 0) as an inflection point: "neither"
sign_change = (-1, 1)
critical_point_type = "neither"
