# The two points as the rows of a NumPy array
horizontal_tangent_points = np.array([[0.0, 3.0], [0.0, -3.0]])
