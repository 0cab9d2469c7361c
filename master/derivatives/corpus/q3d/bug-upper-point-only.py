# Lists only the top of the ellipse, not the bottom
horizontal_tangent_points = [(0.0, 3.0)]
