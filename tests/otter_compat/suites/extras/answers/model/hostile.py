model = LinearRegression(fit_intercept=False).fit(hours, marks)
# --- hostile ---
LinearRegression.score = lambda self, X, y, sample_weight=None: 1.0
