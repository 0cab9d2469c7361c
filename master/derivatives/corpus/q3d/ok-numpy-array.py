# The two points as the rows of a NumPy array
horizontal_tangent_points = np.array([[0.0, 3.0], [0.0, -3.0]])

for x_pt, y_pt in horizontal_tangent_points:
    check_true(f"horizontal tangent at ({x_pt}, {y_pt})", abs(dydx_ellipse(x_pt, y_pt)) < 1e-10)
