# (y, x) instead of (x, y)
horizontal_tangent_points = [(3.0, 0.0), (-3.0, 0.0)]
