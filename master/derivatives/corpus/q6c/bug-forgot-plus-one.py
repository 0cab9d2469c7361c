# Solves 3c^2 = slope, forgetting the +1: c = +-1


mvt_secant_slope = (f6(2.0) - f6(-2.0)) / (2.0 - (-2.0))
mvt_points = [-np.sqrt(mvt_secant_slope / 3), np.sqrt(mvt_secant_slope / 3)]
