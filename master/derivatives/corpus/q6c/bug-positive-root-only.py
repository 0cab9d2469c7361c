# Keeps only the positive square root


mvt_secant_slope = (f6(2.0) - f6(-2.0)) / (2.0 - (-2.0))
mvt_points = [np.sqrt((mvt_secant_slope + 1) / 3)]
