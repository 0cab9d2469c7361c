# The points where the tangent is vertical (y = 0), not horizontal
horizontal_tangent_points = [(2.0, 0.0), (-2.0, 0.0)]
