large = census[census["population"] > 1]  # keeps the old index
by_region = census.groupby("region")["population"].mean()
