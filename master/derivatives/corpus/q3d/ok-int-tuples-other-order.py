# Integer tuples, lower point first
horizontal_tangent_points = [(0, -3), (0, 3)]
