model = LinearRegression(fit_intercept=False).fit(hours, marks)
