# Solve 3c^2 - (1 + slope) = 0 with np.roots and sort the roots


mvt_secant_slope = (f6(2) - f6(-2)) / 4
mvt_points = np.sort(np.roots([3, 0, -1 - mvt_secant_slope])).tolist()
