# All four vertices of the ellipse
horizontal_tangent_points = [(0.0, 3.0), (0.0, -3.0), (2.0, 0.0), (-2.0, 0.0)]
