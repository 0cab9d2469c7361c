# The two points as a sorted NumPy array


a, b = -2.0, 2.0
mvt_secant_slope = (f6(b) - f6(a)) / (b - a)
c = np.sqrt((mvt_secant_slope + 1) / 3)
mvt_points = np.array([-c, c])
