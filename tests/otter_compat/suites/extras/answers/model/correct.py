model = LinearRegression().fit(hours, marks)
