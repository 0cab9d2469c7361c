# x = 0 from -9x / (4y) = 0, then y from the ellipse equation
x0 = 0.0
y0 = 3 * np.sqrt(1 - x0**2 / 4)
horizontal_tangent_points = [(x0, y0), (x0, -y0)]
